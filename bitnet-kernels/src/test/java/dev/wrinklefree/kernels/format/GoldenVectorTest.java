package dev.wrinklefree.kernels.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.ActivationQuantizers;
import dev.wrinklefree.kernels.Conformance;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.scalar.ScalarKernel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The formats and the scalar oracle against ggml's and bitnet.cpp's own outputs. */
class GoldenVectorTest {

    @TestFactory
    List<DynamicTest> ggmlVectors() {
        List<Path> cases = Conformance.cases("ggml", "tq-");
        assertFalse(cases.isEmpty(), "no ggml conformance cases found");
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : cases) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkGgml(Conformance.read(p))));
        }
        return tests;
    }

    private static void checkGgml(JsonNode c) {
        int rows = c.get("rows").asInt();
        int cols = c.get("cols").asInt();
        float[] w = Conformance.floats(c.get("weights"));
        float[] act = Conformance.floats(c.get("activations"));

        QuantizedActivations q8 = QuantizedActivations.allocate(ActivationFormat.Q8_K, cols, 1).quantize(act);
        byte[] q8Bytes = ActivationQuantizers.toQ8KBytes(q8, 0);
        assertEquals(c.get("q8_K").asText(), HexFormat.of().formatHex(q8Bytes), "Q8_K bytes");
        QuantizedActivations back = QuantizedActivations.allocate(ActivationFormat.Q8_K, cols, 1);
        ActivationQuantizers.fromQ8KBytes(Conformance.hex(c.get("q8_K")), back, 0);
        assertArrayEquals(q8Bytes, ActivationQuantizers.toQ8KBytes(back, 0), "Q8_K round trip");

        for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ1_0, TernaryFormat.TQ2_0}) {
            JsonNode g = c.get(f.name().toLowerCase());
            byte[] packed = TernaryCodec.packBytes(f, w, rows, cols);
            assertEquals(g.get("packed").asText(), HexFormat.of().formatHex(packed), f + " packed bytes");
            TernaryMatrix m = TernaryMatrix.of(f, rows, cols, packed);
            float[] deq = TernaryCodec.dequantize(m);
            assertArrayEquals(Conformance.floats(g.get("dequantized")), deq, 0f, f + " dequantized");
            // Re-quantizing the dequantized values reproduces the bytes (round trip).
            assertArrayEquals(packed, TernaryCodec.packBytes(f, deq, rows, cols), f + " re-pack of dequantized");

            float[] y = new float[rows];
            new ScalarKernel().matmul(m, back, y);
            float[] expect = Conformance.floats(g.get("vec_dot_q8_K"));
            for (int r = 0; r < rows; r++) {
                assertClose(expect[r], y[r], 1e-5, f + " vec_dot row " + r);
            }
        }
    }

    @TestFactory
    List<DynamicTest> bitnetVectors() {
        List<Path> cases = Conformance.cases("bitnet", "i2s-");
        assertFalse(cases.isEmpty(), "no bitnet conformance cases found");
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : cases) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> checkBitnet(Conformance.read(p))));
        }
        return tests;
    }

    private static void checkBitnet(JsonNode c) {
        int rows = c.get("rows").asInt();
        int cols = c.get("cols").asInt();
        int n = c.get("n_act").asInt();
        float[] w = Conformance.floats(c.get("weights"));
        float[] act = Conformance.floats(c.get("activations"));

        byte[] packed = TernaryCodec.packBytes(TernaryFormat.I2_S, w, rows, cols);
        assertEquals(c.get("i2_s").get("packed").asText(), HexFormat.of().formatHex(packed), "I2_S packed bytes");
        TernaryMatrix m = TernaryMatrix.of(TernaryFormat.I2_S, rows, cols, packed);
        assertEquals((float) c.get("i2_s").get("scale").asDouble(), m.tensorScale(), 0f, "I2_S scale");

        QuantizedActivations a = QuantizedActivations.allocate(ActivationFormat.I8_S, cols, n).quantize(act, 0, n);
        for (int t = 0; t < n; t++) {
            JsonNode e = c.get("i8_s").get(t);
            byte[] qs = new byte[cols];
            System.arraycopy(a.quants(), t * cols, qs, 0, cols);
            assertEquals(e.get("qs").asText(), HexFormat.of().formatHex(qs), "I8_S qs of row " + t);
            assertEquals((float) e.get("scale").asDouble(), a.scales()[t], 0f, "I8_S scale of row " + t);
            assertEquals(e.get("sum").asInt(), a.sums()[t], "I8_S sum of row " + t);
        }
        float[] y = new float[n * rows];
        new ScalarKernel().matmul(m, a, y);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                float expect = (float) c.get("y").get(t).get(r).asDouble();
                // The oracle evaluates bitnet.cpp's float32 epilogue in the same order: bit-identical.
                assertEquals(expect, y[t * rows + r], 0f, "y[" + t + "][" + r + "]");
                assertEquals(c.get("dot_raw").get(t).get(r).asLong(), ScalarKernel.i2sDotRaw(m, r, a, t),
                        "dot_raw[" + t + "][" + r + "]");
            }
        }
    }

    static void assertClose(float expected, float actual, double rel, String what) {
        double tol = rel * Math.max(1e-3, Math.abs(expected));
        assertTrue(Math.abs(expected - actual) <= tol, what + ": expected " + expected + ", got " + actual);
    }
}
