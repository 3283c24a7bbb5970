package dev.wrinklefree.kernels.ffm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.Conformance;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import dev.wrinklefree.kernels.scalar.ScalarKernel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.wrinklefree.kernels.ffm.NativeTests.randomInt8;
import static dev.wrinklefree.kernels.ffm.NativeTests.randomTernary;
import static dev.wrinklefree.kernels.ffm.NativeTests.unitActivations;
import static dev.wrinklefree.kernels.ffm.NativeTests.unitMatrix;
import static dev.wrinklefree.kernels.ffm.NativeTests.usableKernels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every ISA path of the native kernels that this CPU runs, against the scalar Java oracle, bit for bit. With unit
 * scales (TernaryCodec.packTernary, setRow(..., 1f)) outputs are the exact integer dot products; with real scales
 * every path still follows the oracle's float epilogue operation by operation.
 */
class NativeKernelTest {
    private static final TernaryKernel ORACLE = new ScalarKernel();
    private static final float SENTINEL = -12345.5f;

    /** Random shapes for every legal K up to 6144, unit scales: exact. */
    @TestFactory
    List<DynamicTest> everyLegalKExact() {
        List<TernaryKernel> kernels = usableKernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (TernaryFormat f : TernaryFormat.values()) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> {
                SplittableRandom rnd = new SplittableRandom(f.ordinal() * 1000L + 7);
                for (int k = f.blockWeights(); k <= 6144; k += f.blockWeights()) {
                    int m = 1 + rnd.nextInt(21);
                    int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 12 : 6);
                    int rowStart = rnd.nextInt(m);
                    int rowEnd = rowStart + rnd.nextInt(m - rowStart + 1);
                    checkExact(kernels, f, m, k, n, rowStart, rowEnd, rnd.nextInt(5), rnd);
                }
            }));
        }
        return tests;
    }

    /** Every tile shape and tail (rows 1..9 x tokens 1..9) at the smallest K and at an I2_S K with an odd 128. */
    @TestFactory
    List<DynamicTest> everyTileShapeExact() {
        List<TernaryKernel> kernels = usableKernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (TernaryFormat f : TernaryFormat.values()) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> {
                SplittableRandom rnd = new SplittableRandom(31 + f.ordinal());
                for (int k : f == TernaryFormat.I2_S ? new int[] {128, 384} : new int[] {256, 512}) {
                    for (int m = 1; m <= 9; m++) {
                        for (int n = 1; n <= 9; n++) {
                            checkExact(kernels, f, m, k, n, 0, m, 0, rnd);
                        }
                    }
                }
            }));
        }
        return tests;
    }

    private static void checkExact(List<TernaryKernel> kernels, TernaryFormat f, int m, int k, int n,
                                   int rowStart, int rowEnd, int yOffset, SplittableRandom rnd) {
        TernaryMatrix w = unitMatrix(f, randomTernary(rnd, m * k), m, k);
        QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
        float[] expect = run(ORACLE, w, x, yOffset, rowStart, rowEnd);
        for (TernaryKernel kernel : kernels) {
            float[] got = run(kernel, w, x, yOffset, rowStart, rowEnd);
            assertArrayEquals(expect, got, kernel + " " + w + " N=" + n + " rows [" + rowStart + ", " + rowEnd + ") yOffset " + yOffset);
        }
    }

    /** Output with a sentinel everywhere the call must not write. */
    private static float[] run(TernaryKernel kernel, TernaryMatrix w, QuantizedActivations x, int yOffset, int rowStart, int rowEnd) {
        float[] y = new float[yOffset + x.rows() * w.rows() + 3];
        Arrays.fill(y, SENTINEL);
        kernel.matmul(kernel.prepare(w), x, y, yOffset, rowStart, rowEnd);
        return y;
    }

    private static void assertArrayEquals(float[] expect, float[] got, String what) {
        for (int i = 0; i < expect.length; i++) {
            if (Float.floatToIntBits(expect[i]) != Float.floatToIntBits(got[i])) {
                throw new AssertionError(what + ": y[" + i + "] expected " + expect[i] + ", got " + got[i]);
            }
        }
    }

    /**
     * 16-bit accumulators must not overflow: activations all +127, all -128 and alternating against weights all
     * +1, all -1, alternating and all 0, up to K = 14336 (llama3-8b's down projection). Checked against the
     * closed form as well as the oracle.
     */
    @TestFactory
    List<DynamicTest> adversarialExtremes() {
        List<TernaryKernel> kernels = usableKernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (TernaryFormat f : TernaryFormat.values()) {
            for (int k : new int[] {f.blockWeights(), 4096, 6912, 14336}) {
                tests.add(DynamicTest.dynamicTest(f + " K=" + k, () -> {
                    byte[][] weightRows = {fill(k, 1, 1), fill(k, -1, -1), fill(k, 1, -1), fill(k, 0, 0), fill(k, -1, 1)};
                    byte[][] actRows = {fill(k, 127, 127), fill(k, -128, -128), fill(k, 127, -128), fill(k, -128, 127)};
                    int m = weightRows.length;
                    int n = actRows.length;
                    TernaryMatrix w = unitMatrix(f, concat(weightRows), m, k);
                    QuantizedActivations x = unitActivations(f.activationFormat(), concat(actRows), n, k);
                    float[] expect = run(ORACLE, w, x, 0, 0, m);
                    for (int t = 0; t < n; t++) {
                        for (int r = 0; r < m; r++) {
                            long dot = 0;
                            for (int i = 0; i < k; i++) {
                                dot += (long) weightRows[r][i] * actRows[t][i];
                            }
                            assertEquals((float) dot, expect[t * m + r], 0f, "oracle, weights " + r + " x activations " + t);
                        }
                    }
                    for (TernaryKernel kernel : kernels) {
                        assertArrayEquals(expect, run(kernel, w, x, 0, 0, m), kernel + " " + w);
                    }
                }));
            }
        }
        return tests;
    }

    private static byte[] fill(int k, int even, int odd) {
        byte[] b = new byte[k];
        for (int i = 0; i < k; i++) {
            b[i] = (byte) (i % 2 == 0 ? even : odd);
        }
        return b;
    }

    private static byte[] concat(byte[][] rows) {
        byte[] out = new byte[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * rows[r].length, rows[r].length);
        }
        return out;
    }

    /** Real scales (per-block TQ scales, I2_S tensor scale, quantized float activations): still bit-identical. */
    @TestFactory
    List<DynamicTest> realScales() {
        List<TernaryKernel> kernels = usableKernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (TernaryFormat f : TernaryFormat.values()) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> {
                SplittableRandom rnd = new SplittableRandom(99 + f.ordinal());
                for (int k : new int[] {256, 768, 2560, 6912}) {
                    int m = 1 + rnd.nextInt(19);
                    int n = 1 + rnd.nextInt(9);
                    float[] blockScales = new float[m * k / 256];
                    for (int b = 0; b < blockScales.length; b++) {
                        blockScales[b] = 0.01f + (float) rnd.nextDouble();
                    }
                    float[] wf = new float[m * k];
                    for (int i = 0; i < wf.length; i++) {
                        // ternary values times a per-256-block scale, so TQ blocks get different d
                        wf[i] = (rnd.nextInt(3) - 1) * blockScales[i / 256];
                    }
                    float[] xf = new float[n * k];
                    for (int i = 0; i < xf.length; i++) {
                        xf[i] = (float) (rnd.nextGaussian() * (1 + i % 7));
                    }
                    TernaryMatrix w = TernaryCodec.pack(f, wf, m, k);
                    QuantizedActivations x = QuantizedActivations.allocate(f, k, n).quantize(xf, 0, n);
                    float[] expect = run(ORACLE, w, x, 0, 0, m);
                    for (TernaryKernel kernel : kernels) {
                        assertArrayEquals(expect, run(kernel, w, x, 0, 0, m), kernel + " " + w + " N=" + n);
                    }
                }
            }));
        }
        return tests;
    }

    /** ggml's and bitnet.cpp's own outputs (the golden vectors GoldenVectorTest checks the oracle with). */
    @TestFactory
    List<DynamicTest> goldenVectors() {
        List<TernaryKernel> kernels = usableKernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : Conformance.cases("ggml", "tq-")) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                JsonNode c = Conformance.read(p);
                int rows = c.get("rows").asInt();
                int cols = c.get("cols").asInt();
                float[] wf = Conformance.floats(c.get("weights"));
                QuantizedActivations x = QuantizedActivations.allocate(ActivationFormat.Q8_K, cols, 1)
                        .quantize(Conformance.floats(c.get("activations")));
                for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ1_0, TernaryFormat.TQ2_0}) {
                    TernaryMatrix w = TernaryCodec.pack(f, wf, rows, cols);
                    float[] expect = Conformance.floats(c.get(f.name().toLowerCase()).get("vec_dot_q8_K"));
                    float[] oracle = run(ORACLE, w, x, 0, 0, rows);
                    for (TernaryKernel kernel : kernels) {
                        float[] y = run(kernel, w, x, 0, 0, rows);
                        assertArrayEquals(oracle, y, kernel + " " + f + " vs the oracle");
                        for (int r = 0; r < rows; r++) {
                            // the tolerance GoldenVectorTest grants the oracle against ggml
                            double tol = 1e-5 * Math.max(1e-3, Math.abs(expect[r]));
                            assertTrue(Math.abs(expect[r] - y[r]) <= tol,
                                    kernel + " " + f + " row " + r + ": expected " + expect[r] + ", got " + y[r]);
                        }
                    }
                }
            }));
        }
        for (Path p : Conformance.cases("bitnet", "i2s-")) {
            tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                JsonNode c = Conformance.read(p);
                int rows = c.get("rows").asInt();
                int cols = c.get("cols").asInt();
                int n = c.get("n_act").asInt();
                TernaryMatrix w = TernaryCodec.pack(TernaryFormat.I2_S, Conformance.floats(c.get("weights")), rows, cols);
                QuantizedActivations x = QuantizedActivations.allocate(ActivationFormat.I8_S, cols, n)
                        .quantize(Conformance.floats(c.get("activations")), 0, n);
                for (TernaryKernel kernel : kernels) {
                    float[] y = new float[n * rows];
                    kernel.matmul(kernel.prepare(w), x, y);
                    for (int t = 0; t < n; t++) {
                        for (int r = 0; r < rows; r++) {
                            // bitnet.cpp's float32 epilogue in the same order: bit-identical
                            assertEquals((float) c.get("y").get(t).get(r).asDouble(), y[t * rows + r], 0f,
                                    kernel + " y[" + t + "][" + r + "]");
                        }
                    }
                }
            }));
        }
        assertFalse(tests.isEmpty(), "no conformance cases found");
        return tests;
    }

    /** Weights in heap, off-heap (aligned and at an odd address) and memory-mapped segments give the same result. */
    @TestFactory
    List<DynamicTest> weightResidency(@TempDir Path dir) {
        List<TernaryKernel> kernels = usableKernels();
        List<DynamicTest> tests = new ArrayList<>();
        for (TernaryFormat f : TernaryFormat.values()) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> {
                SplittableRandom rnd = new SplittableRandom(5 + f.ordinal());
                int m = 37;
                int k = 1280;
                int n = 3;
                TernaryMatrix heap = unitMatrix(f, randomTernary(rnd, m * k), m, k);
                QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
                float[] expect = run(ORACLE, heap, x, 0, 0, m);
                long size = heap.byteSize();
                Path file = dir.resolve(f + ".bin");
                Files.write(file, heap.data().toArray(ValueLayout.JAVA_BYTE));
                try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    MemorySegment offHeap = arena.allocate(size, 64).copyFrom(heap.data());
                    MemorySegment odd = arena.allocate(size + 1, 64).asSlice(1).copyFrom(heap.data());
                    MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                    for (MemorySegment seg : List.of(heap.data(), offHeap, odd, mapped)) {
                        TernaryMatrix w = TernaryMatrix.of(f, m, k, seg);
                        for (TernaryKernel kernel : kernels) {
                            assertArrayEquals(expect, run(kernel, w, x, 0, 0, m),
                                    kernel + " " + w + " in " + (seg.isNative() ? (seg.isMapped() ? "mapped" : "off-heap at " + seg.address()) : "heap"));
                        }
                    }
                }
            }));
        }
        return tests;
    }

    /** Threads on disjoint row ranges of one output (as the parallel driver calls it) give the one-thread result. */
    @Test
    void disjointRowRangesFromTwoThreads() throws Exception {
        List<TernaryKernel> kernels = usableKernels();
        SplittableRandom rnd = new SplittableRandom(11);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (TernaryFormat f : TernaryFormat.values()) {
                int m = 301;
                int k = 2560;
                int n = 5;
                TernaryMatrix w = unitMatrix(f, randomTernary(rnd, m * k), m, k);
                QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
                for (TernaryKernel kernel : kernels) {
                    float[] expect = run(kernel, w, x, 0, 0, m);
                    PreparedWeights pw = kernel.prepare(w);
                    for (int rep = 0; rep < 10; rep++) {
                        float[] y = new float[expect.length];
                        Arrays.fill(y, SENTINEL);
                        int split = 1 + rnd.nextInt(m - 1);
                        List<Callable<Void>> halves = List.of(
                                () -> { kernel.matmul(pw, x, y, 0, 0, split); return null; },
                                () -> { kernel.matmul(pw, x, y, 0, split, m); return null; });
                        for (Future<Void> done : pool.invokeAll(halves)) {
                            done.get();
                        }
                        assertArrayEquals(expect, y, kernel + " " + w + " split at " + split);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A GEMM bigger than one downcall's work limit is cut into row ranges; the pieces add up to the same result. */
    @Test
    void bigGemmCutIntoSeveralDowncalls() {
        List<TernaryKernel> kernels = usableKernels();
        SplittableRandom rnd = new SplittableRandom(3);
        int k = 4096;
        int n = 64;
        long rowsPerCall = Math.max(NativeKernel.MIN_ROWS_PER_CALL, NativeKernel.MAX_MACS_PER_CALL / ((long) n * k));
        int m = (int) (2 * rowsPerCall + 77);
        for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ2_0, TernaryFormat.I2_S}) {
            TernaryMatrix w = unitMatrix(f, randomTernary(rnd, m * k), m, k);
            QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
            // the portable C path is bit-identical to the oracle (checked above) and fast enough at this size
            float[] expect = run(new NativeKernelProvider().create("scalar"), w, x, 0, 0, m);
            // spot-check the reference itself against the Java oracle on a few rows
            float[] oracle = run(ORACLE, w, x, 0, m - 3, m);
            for (int t = 0; t < n; t++) {
                for (int r = m - 3; r < m; r++) {
                    assertEquals(oracle[t * m + r], expect[t * m + r], 0f, "portable C vs oracle");
                }
            }
            for (TernaryKernel kernel : kernels) {
                assertArrayEquals(expect, run(kernel, w, x, 0, 0, m), kernel + " " + w + " N=" + n);
            }
        }
    }

    @Test
    void wrongShapesAreRejectedBeforeTheDowncall() {
        for (TernaryKernel kernel : usableKernels()) {
            TernaryMatrix w = unitMatrix(TernaryFormat.TQ2_0, new byte[2 * 512], 2, 512);
            QuantizedActivations wrongK = QuantizedActivations.allocate(ActivationFormat.Q8_K, 256, 1).rows(1);
            QuantizedActivations wrongFormat = QuantizedActivations.allocate(ActivationFormat.I8_S, 512, 1).rows(1);
            QuantizedActivations ok = QuantizedActivations.allocate(ActivationFormat.Q8_K, 512, 1).rows(1);
            PreparedWeights pw = kernel.prepare(w);
            assertThrows(IllegalArgumentException.class, () -> kernel.matmul(pw, wrongK, new float[2]));
            assertThrows(IllegalArgumentException.class, () -> kernel.matmul(pw, wrongFormat, new float[2]));
            assertThrows(IllegalArgumentException.class, () -> kernel.matmul(pw, ok, new float[1]));
            assertThrows(IllegalArgumentException.class, () -> kernel.matmul(pw, ok, new float[2], 0, 1, 3));
        }
    }
}
