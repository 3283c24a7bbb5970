package dev.wrinklefree.kernels;

import dev.wrinklefree.kernels.format.Absmean;
import dev.wrinklefree.kernels.format.TernaryCodec;
import dev.wrinklefree.kernels.parallel.ParallelKernel;
import dev.wrinklefree.kernels.scalar.ScalarKernel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every kernel keeps, checked against the scalar oracle for every usable provider and every
 * variant ({@link Kernels#providers()}): a new backend is covered by being listed there.
 *
 * <p>Exactness is checked with unit scales (weights packed with scale 1, activations set raw with scale 1):
 * outputs are then the integer dot products, exact in float in any summation order, and must equal the
 * oracle's bit for bit. Real scales are checked within a bound on float rounding.
 *
 * <p>The Vector API width is fixed per JVM; the build runs this class once per width
 * ({@code -Dwrinklefree.vector.bits=128|256|512}).
 */
class KernelContractTest {
    private static final ScalarKernel ORACLE = new ScalarKernel();

    /**
     * Every kernel name of every provider but the oracle: the backend alone (its preferred kernel) and each
     * {@code backend:variant}. Unusable backends are listed too and their cases skip with the reason.
     */
    static List<String> kernels() {
        List<String> names = new ArrayList<>();
        for (KernelProvider p : Kernels.providers()) {
            if (!p.name().equals("scalar")) {
                names.add(p.name());
                for (String v : p.variants()) {
                    names.add(p.name() + ":" + v);
                }
            }
        }
        assertFalse(names.isEmpty(), "no kernel backend besides the scalar oracle is part of this build");
        return names;
    }

    /** The kernel of this name; skips the test (with the reason) when its backend cannot run here. */
    static TernaryKernel kernel(String name) {
        try {
            return Kernels.byName(name);
        } catch (IllegalStateException e) {
            Assumptions.abort(e.getMessage());
            throw e;
        }
    }

    private static int[] legalCols(TernaryFormat f) {
        return f == TernaryFormat.I2_S ? new int[] {128, 256, 384, 512, 2560, 6912} : new int[] {256, 512, 1024, 2560, 6912};
    }

    private static void checkExact(TernaryKernel kernel, TernaryFormat f, int m, int k, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] t = KernelFixtures.randomTernary(rnd, m * k, rnd.nextInt(70));
        byte[][] acts = new byte[n][];
        for (int i = 0; i < n; i++) {
            acts[i] = KernelFixtures.randomInt8(rnd, k);
        }
        checkExact(kernel, f, t, acts, m, k, "seed " + seed);
    }

    private static void checkExact(TernaryKernel kernel, TernaryFormat f, byte[] ternary, byte[][] acts, int m, int k, String what) {
        TernaryMatrix w = KernelFixtures.unitScaled(f, ternary, m, k);
        QuantizedActivations x = KernelFixtures.rawActivations(f, acts, k);
        float[] expected = new float[m * acts.length];
        ORACLE.matmul(w, x, expected);
        float[] actual = new float[m * acts.length];
        Arrays.fill(actual, Float.NaN);
        kernel.matmul(kernel.prepare(w), x, actual);
        assertArrayEquals(expected, actual, () -> kernel.name() + " " + w + " N=" + acts.length + " (" + what + ")");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void randomShapesGiveTheOraclesIntegersExactly(String name) {
        TernaryKernel kernel = kernel(name);
        SplittableRandom pick = new SplittableRandom(name.hashCode());
        int[] ms = {1, 2, 7, 31, 32, 33, 64, 95};
        int[] ns = {1, 2, 3, 8};
        for (TernaryFormat f : TernaryFormat.values()) {
            if (!kernel.supports(f)) {
                continue;
            }
            int[] ks = legalCols(f);
            for (int k : ks) {
                for (int i = 0; i < 3; i++) {
                    checkExact(kernel, f, ms[pick.nextInt(ms.length)], k, ns[pick.nextInt(ns.length)], pick.nextLong());
                }
            }
            checkExact(kernel, f, 5, ks[0], 32, pick.nextLong());
            checkExact(kernel, f, 3, 14336, 2, pick.nextLong());
        }
    }

    /**
     * Prefill batch sizes around every tile width a kernel may use (8, 16 and 32 tokens per vector, and the
     * point where the default kernel switches strategy), including tiles left partly empty.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void batchSizesAcrossTileBoundariesGiveTheOraclesIntegersExactly(String name) {
        TernaryKernel kernel = kernel(name);
        SplittableRandom pick = new SplittableRandom(name.hashCode() + 1);
        for (TernaryFormat f : TernaryFormat.values()) {
            if (!kernel.supports(f)) {
                continue;
            }
            int[] ks = legalCols(f);
            for (int n : new int[] {4, 7, 9, 15, 16, 17, 31, 33, 64, 70}) {
                checkExact(kernel, f, 1 + pick.nextInt(40), ks[pick.nextInt(2)], n, pick.nextLong());
                // Quantizers never give -128, and a kernel may count on it (keeping its sums narrow longer)
                int m = 1 + pick.nextInt(40);
                int k = ks[pick.nextInt(2)];
                byte[][] acts = new byte[n][k];
                for (byte[] row : acts) {
                    for (int i = 0; i < k; i++) {
                        row[i] = (byte) (pick.nextInt(255) - 127);
                    }
                }
                checkExact(kernel, f, KernelFixtures.randomTernary(pick, m * k, pick.nextInt(70)), acts, m, k, "no -128");
            }
        }
    }

    /** The extreme sums of {@link #adversarialInputsDoNotOverflow} in a batch of several tiles. */
    @ParameterizedTest
    @MethodSource("kernels")
    void adversarialBatchesDoNotOverflow(String name) {
        TernaryKernel kernel = kernel(name);
        for (TernaryFormat f : TernaryFormat.values()) {
            if (!kernel.supports(f)) {
                continue;
            }
            int k = 2560;
            int m = 3;
            byte[] w = new byte[m * k];
            for (int i = 0; i < k; i++) {
                w[i] = 1;
                w[k + i] = -1;
                w[2 * k + i] = (byte) (i % 2 == 0 ? 1 : -1);
            }
            byte[][] acts = new byte[37][k];
            for (int t = 0; t < acts.length; t++) {
                Arrays.fill(acts[t], (byte) (t % 3 == 0 ? -128 : t % 3 == 1 ? 127 : (t % 7) - 3));
            }
            checkExact(kernel, f, w, acts, m, k, "adversarial batch");
            float[] y = new float[m * acts.length];
            kernel.matmul(kernel.prepare(KernelFixtures.unitScaled(f, w, m, k)), KernelFixtures.rawActivations(f, acts, k), y);
            assertEquals(128f * k, y[36 * m + 1], kernel.name() + " " + f + ": token 36, all -128 x all -1");
            assertEquals(-128f * k, y[36 * m], kernel.name() + " " + f + ": token 36, all -128 x all +1");
            // The quantizers' extremes, +-127 with no -128 anywhere: 256 of them sum to +-32512.
            for (int t = 0; t < acts.length; t++) {
                Arrays.fill(acts[t], (byte) (t % 2 == 0 ? -127 : 127));
            }
            checkExact(kernel, f, w, acts, m, k, "adversarial batch without -128");
            kernel.matmul(kernel.prepare(KernelFixtures.unitScaled(f, w, m, k)), KernelFixtures.rawActivations(f, acts, k), y);
            assertEquals(127f * k, y[36 * m + 1], kernel.name() + " " + f + ": token 36, all -127 x all -1");
            assertEquals(-127f * k, y[36 * m], kernel.name() + " " + f + ": token 36, all -127 x all +1");
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void adversarialInputsDoNotOverflow(String name) {
        TernaryKernel kernel = kernel(name);
        int k = 14336;
        int m = 37;
        byte[] allPlus127 = new byte[k];
        byte[] allMinus128 = new byte[k];
        byte[] alternating = new byte[k];
        Arrays.fill(allPlus127, (byte) 127);
        Arrays.fill(allMinus128, (byte) -128);
        for (int i = 0; i < k; i++) {
            alternating[i] = (byte) (i % 2 == 0 ? 127 : -128);
        }
        byte[][] acts = {allPlus127, allMinus128, alternating};
        SplittableRandom rnd = new SplittableRandom(7);
        for (TernaryFormat f : TernaryFormat.values()) {
            if (!kernel.supports(f)) {
                continue;
            }
            byte[] w = new byte[m * k];
            for (int r = 0; r < m; r++) {
                for (int i = 0; i < k; i++) {
                    int v = switch (r % 5) {
                        case 0 -> 1;
                        case 1 -> -1;
                        case 2 -> i % 2 == 0 ? 1 : -1;
                        case 3 -> 0;
                        default -> rnd.nextInt(3) - 1;
                    };
                    w[r * k + i] = (byte) v;
                }
            }
            checkExact(kernel, f, w, acts, m, k, "adversarial");
            // The extreme sums themselves: all -128 against all -1 gives +128*K, against all +1 gives -128*K.
            float[] y = new float[m * acts.length];
            kernel.matmul(kernel.prepare(KernelFixtures.unitScaled(f, w, m, k)), KernelFixtures.rawActivations(f, acts, k), y);
            assertEquals(128f * k, y[m + 1], kernel.name() + " " + f + ": all -128 x all -1");
            assertEquals(-128f * k, y[m], kernel.name() + " " + f + ": all -128 x all +1");
            assertEquals(127f * k, y[0], kernel.name() + " " + f + ": all +127 x all +1");
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void realScalesMatchTheOracleWithinRounding(String name) {
        TernaryKernel kernel = kernel(name);
        SplittableRandom rnd = new SplittableRandom(11);
        for (TernaryFormat f : TernaryFormat.values()) {
            if (!kernel.supports(f)) {
                continue;
            }
            int m = 45;
            int k = 2560;
            int n = 3;
            float[] wf = KernelFixtures.gaussian(rnd, m * k, 0.02);
            float[] src = f == TernaryFormat.I2_S ? Absmean.ternarize(wf).dequantize() : wf;
            TernaryMatrix w = TernaryCodec.pack(f, src, m, k);
            QuantizedActivations x = QuantizedActivations.allocate(f, k, n).quantize(KernelFixtures.gaussian(rnd, n * k, 1.0), 0, n);
            float[] expected = new float[m * n];
            ORACLE.matmul(w, x, expected);
            float[] actual = new float[m * n];
            kernel.matmul(kernel.prepare(w), x, actual);
            float[] bound = roundingBound(w, x);
            for (int i = 0; i < expected.length; i++) {
                float diff = Math.abs(expected[i] - actual[i]);
                if (!(diff <= bound[i])) {
                    fail(kernel.name() + " " + w + ": y[" + i + "] = " + actual[i] + ", oracle " + expected[i]
                            + ", allowed difference " + bound[i]);
                }
            }
        }
    }

    /**
     * Allowed float difference per output: {@code 1e-5 * sum over blocks of |scale_b| * sum_k 2|q_k|}. A kernel
     * sums exact integer partials (each at most {@code sum 2|q|}, codes being 0..2) and rounds once per block
     * and lane when scaling and adding: at most (blocks + log2 lanes + 2) roundings of 2^-24, under 1e-5 for
     * K up to 28672.
     */
    private static float[] roundingBound(TernaryMatrix w, QuantizedActivations x) {
        int m = w.rows();
        int k = w.cols();
        int block = w.format() == TernaryFormat.I2_S ? k : 256;
        float[] out = new float[m * x.rows()];
        for (int n = 0; n < x.rows(); n++) {
            for (int r = 0; r < m; r++) {
                double total = 0;
                for (int b = 0; b < k / block; b++) {
                    double mag = 0;
                    for (int i = 0; i < block; i++) {
                        mag += 2 * Math.abs(x.quants()[n * k + b * block + i]);
                    }
                    double scale = w.format() == TernaryFormat.I2_S
                            ? w.tensorScale() / x.scales()[n]
                            : x.scales()[n * (k / 256) + b] * TernaryCodec.blockScale(w, r, b);
                    total += Math.abs(scale) * mag;
                }
                out[n * m + r] = (float) (1e-5 * total) + Float.MIN_NORMAL;
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void rowRangesWriteOnlyTheirRows(String name) {
        TernaryKernel kernel = kernel(name);
        SplittableRandom rnd = new SplittableRandom(3);
        int m = 70;
        int k = 512;
        int n = 3;
        for (TernaryFormat f : TernaryFormat.values()) {
            TernaryMatrix w = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
            byte[][] acts = {KernelFixtures.randomInt8(rnd, k), KernelFixtures.randomInt8(rnd, k), KernelFixtures.randomInt8(rnd, k)};
            QuantizedActivations x = KernelFixtures.rawActivations(f, acts, k);
            float[] expected = new float[m * n];
            ORACLE.matmul(w, x, expected);
            PreparedWeights pw = kernel.prepare(w);
            int offset = 5;
            float[] y = new float[offset + m * n + 7];
            Arrays.fill(y, Float.NaN);
            int[] cuts = {0, 13, 45, 46, 70};
            for (int i = 0; i + 1 < cuts.length; i++) {
                kernel.matmul(pw, x, y, offset, cuts[i], cuts[i + 1]);
            }
            kernel.matmul(pw, x, y, offset, 20, 20); // an empty range writes nothing
            for (int i = 0; i < y.length; i++) {
                if (i < offset || i >= offset + m * n) {
                    assertTrue(Float.isNaN(y[i]), kernel.name() + " " + f + ": wrote y[" + i + "] outside its rows");
                } else {
                    assertEquals(expected[i - offset], y[i], kernel.name() + " " + f + ": y[" + i + "]");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void parallelDriverSplitsOddRowCounts(String name) {
        for (int threads : new int[] {2, 3}) {
            try (ParallelKernel par = ParallelKernel.of(kernel(name), threads)) {
                assertEquals(threads, par.threads());
                long seed = 100;
                for (TernaryFormat f : TernaryFormat.values()) {
                    for (int m : new int[] {1, 31, 33, 97, 645}) {
                        checkExact(par, f, m, 512, 1 + (int) (seed % 3), seed++);
                    }
                }
            }
        }
    }

    /**
     * Code 3 (two set bits) in a TQ2_0 or I2_S weight is a weight of +2 in ggml's and bitnet.cpp's arithmetic.
     * The standard quantizers never write it, but a file from elsewhere may hold it. A backend's default kernel
     * must compute it as the oracle does; a strategy variant may refuse such a matrix instead, in
     * {@code prepare}, naming code 3 (never compute a wrong result).
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void codeThreeIsComputedOrRefusedNeverMisread(String name) {
        TernaryKernel kernel = kernel(name);
        SplittableRandom rnd = new SplittableRandom(name.hashCode() + 3);
        for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ2_0, TernaryFormat.I2_S}) {
            if (!kernel.supports(f)) {
                continue;
            }
            int m = 37;
            int k = 512;
            TernaryMatrix clean = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
            byte[] data = clean.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            // Both formats keep 4 codes per byte in the first 64 bytes of every 66-byte TQ2_0 block, and in the
            // K/4 bytes of an I2_S row: setting a byte to 0xFF makes 4 weights code 3.
            for (int r = 0; r < m; r += 2) {
                long row = r * clean.rowBytes();
                data[(int) (row + rnd.nextInt(64))] = (byte) 0xFF;
                data[(int) (row + (f == TernaryFormat.TQ2_0 ? 66 : 64) + rnd.nextInt(32))] = (byte) 0xFF;
            }
            TernaryMatrix w = TernaryMatrix.of(f, m, k, data);
            PreparedWeights pw;
            try {
                pw = kernel.prepare(w);
            } catch (IllegalArgumentException e) {
                assertTrue(kernel.name().contains(":"), kernel.name() + " is a backend's default kernel and refused code 3: "
                        + e.getMessage());
                assertTrue(e.getMessage().contains("code 3"), e.getMessage());
                continue;
            }
            for (int n : new int[] {1, 40}) {
                byte[][] acts = new byte[n][];
                for (int t = 0; t < n; t++) {
                    acts[t] = KernelFixtures.randomInt8(rnd, k);
                }
                QuantizedActivations x = KernelFixtures.rawActivations(f, acts, k);
                float[] expected = new float[m * n];
                ORACLE.matmul(w, x, expected);
                float[] actual = new float[m * n];
                kernel.matmul(pw, x, actual);
                assertArrayEquals(expected, actual, kernel.name() + " " + f + " N=" + n + " with code-3 weights");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void badArgumentsNameWhatWasExpected(String name) {
        TernaryKernel kernel = kernel(name);
        TernaryMatrix w = KernelFixtures.unitScaled(TernaryFormat.TQ2_0, new byte[4 * 512], 4, 512);
        PreparedWeights pw = kernel.prepare(w);
        QuantizedActivations ok = QuantizedActivations.allocate(TernaryFormat.TQ2_0, 512, 2).rows(2);
        float[] y = new float[8];

        String wrongFormat = assertThrows(IllegalArgumentException.class,
                () -> kernel.matmul(pw, QuantizedActivations.allocate(ActivationFormat.I8_S, 512, 1).rows(1), y)).getMessage();
        assertTrue(wrongFormat.contains("Q8_K") && wrongFormat.contains("I8_S"), wrongFormat);

        String wrongK = assertThrows(IllegalArgumentException.class,
                () -> kernel.matmul(pw, QuantizedActivations.allocate(TernaryFormat.TQ2_0, 256, 1).rows(1), y)).getMessage();
        assertTrue(wrongK.contains("512") && wrongK.contains("256"), wrongK);

        String small = assertThrows(IllegalArgumentException.class, () -> kernel.matmul(pw, ok, new float[7])).getMessage();
        assertTrue(small.contains("8") && small.contains("7"), small);

        String range = assertThrows(IllegalArgumentException.class, () -> kernel.matmul(pw, ok, y, 0, 3, 5)).getMessage();
        assertTrue(range.contains("[3, 5)") && range.contains("4"), range);

        if (pw != w) {
            // Weights repacked by this kernel are its own: another layout must be refused, not misread.
            String foreign = assertThrows(IllegalArgumentException.class, () -> kernel.matmul(w, ok, y)).getMessage();
            assertTrue(foreign.contains(w.toString()), foreign);
        }
    }
}
