package dev.wrinklefree.runtime.model;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelTest {
    @TempDir
    Path dir;

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
        ModelConfig c = ModelPresets.byId("tiny-gqa");
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path d = dir.resolve("d.gguf");
        SyntheticModel.write(new SyntheticModel.Spec(c, TernaryFormat.TQ1_0, GgmlType.Q8_0, 5), a, null);
        SyntheticModel.write(new SyntheticModel.Spec(c, TernaryFormat.TQ1_0, GgmlType.Q8_0, 5), b, null);
        SyntheticModel.write(new SyntheticModel.Spec(c, TernaryFormat.TQ1_0, GgmlType.Q8_0, 6), d, null);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(d)));
    }

    @Test
    void writesTheRealShapeNamesAndKeys() throws IOException {
        ModelConfig c = ModelPresets.byId("bitnet-2b-4t");
        // Two layers of the real widths keep the test fast; every other figure is the preset's.
        ModelConfig two = new ModelConfig(c.name(), c.architecture(), c.hiddenSize(), c.ffnSize(), 2, c.heads(), c.kvHeads(),
                c.headDim(), c.ropeDims(), c.vocabSize(), c.contextLength(), c.ropeTheta(), c.ropeFreqScale(), c.rmsEps());
        Path p = dir.resolve("2b.gguf");
        long[] last = {0, 0};
        SyntheticModel.Spec spec = new SyntheticModel.Spec(two, TernaryFormat.I2_S, GgmlType.Q8_0, 1);
        SyntheticModel.write(spec, p, (done, total, t) -> {
            assertTrue(done >= last[0], "progress never goes back");
            last[0] = done;
            last[1] = total;
        });
        assertEquals(last[1], last[0], "progress reaches the total");
        assertEquals(SyntheticModel.tensorBytes(spec), last[1]);
        try (GgufFile f = GgufFile.open(p); BitNetModel m = BitNetModel.from(f)) {
            var md = f.metadata();
            assertEquals("bitnet-b1.58", md.getString("general.architecture"));
            assertEquals(2560, md.getLong("bitnet-b1.58.embedding_length"));
            assertEquals(6912, md.getLong("bitnet-b1.58.feed_forward_length"));
            assertEquals(20, md.getLong("bitnet-b1.58.attention.head_count"));
            assertEquals(5, md.getLong("bitnet-b1.58.attention.head_count_kv"));
            assertEquals(500000f, md.getFloat("bitnet-b1.58.rope.freq_base"));
            assertEquals(40, md.getLong("general.file_type"));
            assertEquals(2 * 11 + 2, f.tensors().size(), "11 per layer, output_norm, token_embd (tied: no output.weight)");
            assertEquals(GgmlType.Q8_0, f.requireTensor("token_embd.weight").type());
            assertTrue(f.tensor("output.weight").isEmpty());
            assertEquals(128256, m.config().vocabSize());
            assertEquals(640, m.layer(0).wk().rows());
            TernaryMatrix wq = m.layer(1).wq();
            float scale = SyntheticModel.ternaryScale(2560);
            assertEquals(scale, wq.tensorScale());
            byte[] t = TernaryCodec.unpackTernary(wq);
            int[] counts = new int[3];
            for (byte v : t) {
                counts[v + 1]++;
            }
            for (int k : counts) {
                assertTrue(Math.abs(k - t.length / 3.0) < t.length * 0.01, "uniform ternary: " + Arrays.toString(counts));
            }
            assertEquals("hello wörld", m.tokenizer().decode(Arrays.copyOfRange(m.tokenizer().encode("hello wörld"), 1,
                    m.tokenizer().encode("hello wörld").length)));
        }
    }

    @Test
    void tqBlocksCarryTheTensorScale() throws IOException {
        for (TernaryFormat fmt : new TernaryFormat[] {TernaryFormat.TQ1_0, TernaryFormat.TQ2_0}) {
            Path p = dir.resolve(fmt + ".gguf");
            SyntheticModel.write(new SyntheticModel.Spec(ModelPresets.byId("tiny"), fmt, GgmlType.F16, 9), p, null);
            try (BitNetModel m = BitNetModel.open(p)) {
                TernaryMatrix w = m.layer(0).wGate();
                float[] deq = TernaryCodec.dequantize(w);
                float s = SyntheticModel.ternaryScale(256);
                for (float v : deq) {
                    assertTrue(v == 0f || v == s || v == -s, fmt + ": value " + v);
                }
            }
        }
    }

    @Test
    void refusesShapesTheFormatCannotHold() {
        ModelConfig c = new ModelConfig("odd", Architecture.BITNET, 384, 768, 1, 4, 4, 96, 96, 300, 64, 10000f, 1f, 1e-5f);
        assertThrows(IllegalArgumentException.class,
                () -> new SyntheticModel.Spec(c, TernaryFormat.TQ2_0, GgmlType.F16, 1));
        new SyntheticModel.Spec(c, TernaryFormat.I2_S, GgmlType.F16, 1);
        assertThrows(IllegalArgumentException.class, () -> ModelPresets.byId("no-such-model"));
    }
}
