package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.KernelFixtures;
import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.Absmean;
import dev.wrinklefree.kernels.format.TernaryCodec;
import dev.wrinklefree.kernels.scalar.ScalarKernel;
import jdk.incubator.vector.VectorShape;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Vector API backend promises beyond the kernel contract; runs once per forced vector width. */
class VectorKernelTest {
    private static final VectorKernelProvider PROVIDER = new VectorKernelProvider();

    @BeforeAll
    static void backendUsable() {
        // A forced width wider than the CPU's (the 512-bit run on an AVX2 machine) makes the backend unusable.
        Assumptions.assumeTrue(PROVIDER.unavailableReason().isEmpty(), () -> PROVIDER.unavailableReason().orElse(""));
    }

    @Test
    void widthIsTheForcedOneOrThePreferred() {
        String forced = System.getProperty(VectorKernelProvider.BITS_PROPERTY);
        int expected = forced == null ? Math.min(512, VectorShape.preferredShape().vectorBitSize()) : Integer.parseInt(forced);
        assertEquals(expected, PROVIDER.vectorBits());
        assertEquals(expected / 16, LutKernel.L, "LUT rows per word = 16-bit lanes");
    }

    @Test
    void anInvalidWidthPropertyMakesTheBackendUnavailableWithTheReason() {
        String old = System.getProperty(VectorKernelProvider.BITS_PROPERTY);
        System.setProperty(VectorKernelProvider.BITS_PROPERTY, "300");
        try {
            String why = PROVIDER.unavailableReason().orElseThrow();
            assertTrue(why.contains("128, 256 or 512") && why.contains("300"), why);
            assertThrows(IllegalStateException.class, PROVIDER::create);
        } finally {
            if (old == null) {
                System.clearProperty(VectorKernelProvider.BITS_PROPERTY);
            } else {
                System.setProperty(VectorKernelProvider.BITS_PROPERTY, old);
            }
        }
    }

    @Test
    void unknownStrategiesNameTheKnownOnes() {
        String msg = assertThrows(IllegalArgumentException.class, () -> Kernels.byName("vector:nope")).getMessage();
        assertTrue(msg.contains("lut") && msg.contains("swar") && msg.contains("mul16") && msg.contains("planes")
                && msg.contains("tlut"), msg);
    }

    @ParameterizedTest
    @EnumSource(TernaryFormat.class)
    void lutLayoutRoundTrips(TernaryFormat f) {
        SplittableRandom rnd = new SplittableRandom(f.ordinal());
        int m = 45;
        for (int k : f == TernaryFormat.I2_S ? new int[] {128, 384, 512} : new int[] {256, 768}) {
            float[] wf = KernelFixtures.gaussian(rnd, m * k, 1);
            TernaryMatrix w = TernaryCodec.pack(f, f == TernaryFormat.I2_S ? Absmean.ternarize(wf).dequantize() : wf, m, k);
            LutKernel.Prepared p = assertInstanceOf(LutKernel.Prepared.class, new LutKernel().prepare(w));
            byte[] expected = new byte[k];
            byte[] actual = new byte[k];
            for (int r = 0; r < m; r++) {
                TernaryCodec.decodeRowCodes(w, r, expected);
                p.decodeRowCodes(r, actual);
                assertArrayEquals(expected, actual, f + " K=" + k + " row " + r);
                if (f != TernaryFormat.I2_S) {
                    for (int b = 0; b < k / 256; b++) {
                        assertEquals(TernaryCodec.blockScale(w, r, b), p.blockScale(r, b), f + " row " + r + " block " + b);
                    }
                }
            }
            // Triples: 256 weights in 29 16-bit words (1.81 bits), plus TQ's float scale per 256 (0.125 bits).
            // Pairs (below 512 bits): 2 bits, plus the scales.
            double bits = p.extraBytes() * 8.0 / ((long) ((m + LutKernel.L - 1) / LutKernel.L) * LutKernel.L * k);
            assertTrue(bits <= (LutKernel.GROUP == 3 ? 1.95 : 2.15), "LUT layout takes " + bits + " bits per weight");
        }
    }

    @ParameterizedTest
    @EnumSource(TernaryFormat.class)
    void tokenLutLayoutRoundTrips(TernaryFormat f) {
        SplittableRandom rnd = new SplittableRandom(20 + f.ordinal());
        int m = 13;
        int k = f == TernaryFormat.I2_S ? 384 : 512;
        float[] wf = KernelFixtures.gaussian(rnd, m * k, 1);
        TernaryMatrix w = TernaryCodec.pack(f, f == TernaryFormat.I2_S ? Absmean.ternarize(wf).dequantize() : wf, m, k);
        TokenLutKernel.Prepared p = assertInstanceOf(TokenLutKernel.Prepared.class, new TokenLutKernel().prepare(w));
        byte[] expected = new byte[k];
        byte[] actual = new byte[k];
        for (int r = 0; r < m; r++) {
            TernaryCodec.decodeRowCodes(w, r, expected);
            p.layout.decodeRowCodes(r, actual);
            assertArrayEquals(expected, actual, f + " row " + r);
            if (f != TernaryFormat.I2_S) {
                for (int b = 0; b < k / 256; b++) {
                    assertEquals(TernaryCodec.blockScale(w, r, b), p.layout.blockScale(r, b), f + " row " + r + " block " + b);
                }
            }
        }
        // 16-bit table offsets for every 4 weights, plus TQ's float scale per 256.
        assertEquals((long) m * k / 2 + (f == TernaryFormat.I2_S ? 0 : (long) m * (k / 256) * 4), p.extraBytes());
    }

    /** The default builds the batch layout only when a batch comes, once, and then counts its bytes. */
    @Test
    void theDefaultBuildsItsBatchLayoutOnTheFirstBatch() {
        SplittableRandom rnd = new SplittableRandom(21);
        int m = 40;
        int k = 512;
        TernaryKernel kernel = PROVIDER.create();
        TernaryMatrix w = KernelFixtures.unitScaled(TernaryFormat.TQ2_0, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
        DispatchKernel.Prepared p = assertInstanceOf(DispatchKernel.Prepared.class, kernel.prepare(w));
        long decodeOnly = p.extraBytes();
        kernel.matmul(p, KernelFixtures.rawActivations(TernaryFormat.TQ2_0, new byte[][] {KernelFixtures.randomInt8(rnd, k)}, k), new float[m]);
        assertEquals(decodeOnly, p.extraBytes(), "one token must not build the batch layout");
        byte[][] acts = new byte[TokenLutKernel.MIN_TOKENS][];
        for (int t = 0; t < acts.length; t++) {
            acts[t] = KernelFixtures.randomInt8(rnd, k);
        }
        kernel.matmul(p, KernelFixtures.rawActivations(TernaryFormat.TQ2_0, acts, k), new float[m * acts.length]);
        PreparedWeights batched = p.batched.get();
        assertEquals(decodeOnly + batched.extraBytes(), p.extraBytes());
        kernel.matmul(p, KernelFixtures.rawActivations(TernaryFormat.TQ2_0, acts, k), new float[m * acts.length]);
        assertTrue(batched == p.batched.get(), "the batch layout is built once");
    }

    /** Whole tiles go to tlut; a rest below MIN_TOKENS to the decode strategy, a larger one into a last tile. */
    @Test
    void theDefaultSplitsABatchIntoWholeTilesAndARest() {
        int l = TokenLutKernel.L;
        int min = TokenLutKernel.MIN_TOKENS;
        assertEquals(0, DispatchKernel.tiledTokens(min - 1));
        assertEquals(min, DispatchKernel.tiledTokens(min));
        assertEquals(l, DispatchKernel.tiledTokens(l + min - 1));
        assertEquals(l + min, DispatchKernel.tiledTokens(l + min));
        assertEquals(4 * l, DispatchKernel.tiledTokens(4 * l));
        assertEquals(4 * l, DispatchKernel.tiledTokens(4 * l + 1));
    }

    /**
     * A batch with a rest, computed again after its tokens change (same object, new version) and with another
     * batch of the same size: the rest's copy must follow the input, never serve a stale one.
     */
    @ParameterizedTest
    @EnumSource(value = TernaryFormat.class, names = {"TQ2_0", "I2_S"})
    void theRestOfABatchFollowsItsInput(TernaryFormat f) {
        SplittableRandom rnd = new SplittableRandom(23 + f.ordinal());
        int m = 33;
        int k = 512;
        int n = TokenLutKernel.L + Math.max(1, TokenLutKernel.MIN_TOKENS - 3);
        TernaryKernel kernel = PROVIDER.create();
        TernaryKernel oracle = new ScalarKernel();
        TernaryMatrix w = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
        PreparedWeights p = kernel.prepare(w);
        QuantizedActivations x = QuantizedActivations.allocate(f, k, n);
        QuantizedActivations other = QuantizedActivations.allocate(f, k, n);
        for (int round = 0; round < 3; round++) {
            for (QuantizedActivations a : new QuantizedActivations[] {x, other}) {
                for (int t = 0; t < n; t++) {
                    a.setRow(t, KernelFixtures.randomInt8(rnd, k), 1f);
                }
                float[] expected = new float[m * n];
                oracle.matmul(w, a, expected);
                float[] actual = new float[m * n];
                kernel.matmul(p, a, actual);
                assertArrayEquals(expected, actual, f + " round " + round);
                kernel.matmul(p, a, actual); // again, unchanged: the cached copy
                assertArrayEquals(expected, actual, f + " round " + round + ", second call");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TernaryFormat.class)
    void planesRoundTrip(TernaryFormat f) {
        SplittableRandom rnd = new SplittableRandom(10 + f.ordinal());
        int m = 9;
        int k = f == TernaryFormat.I2_S ? 384 : 512;
        TernaryMatrix w = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
        PlanesKernel.Prepared p = assertInstanceOf(PlanesKernel.Prepared.class, new PlanesKernel().prepare(w));
        byte[] expected = new byte[k];
        byte[] actual = new byte[k];
        for (int r = 0; r < m; r++) {
            TernaryCodec.decodeRowCodes(w, r, expected);
            p.decodeRowCodes(r, actual);
            assertArrayEquals(expected, actual, f + " row " + r);
        }
    }

    /** Stronger than the contract's rounding bound: every vector strategy repeats the oracle's float epilogue. */
    @ParameterizedTest
    @ValueSource(strings = {"vector", "vector:lut", "vector:swar", "vector:mul16", "vector:planes", "vector:tlut"})
    void realScalesGiveTheOraclesFloatsBitForBit(String name) {
        TernaryKernel kernel = Kernels.byName(name);
        SplittableRandom rnd = new SplittableRandom(5);
        for (TernaryFormat f : TernaryFormat.values()) {
            int m = 70;
            int k = 2560;
            int n = 5 + 35 * (f.ordinal() % 2); // 40 tokens for one format in two: the default then uses tlut
            float[] wf = KernelFixtures.gaussian(rnd, m * k, 0.02);
            TernaryMatrix w = TernaryCodec.pack(f, f == TernaryFormat.I2_S ? Absmean.ternarize(wf).dequantize() : wf, m, k);
            QuantizedActivations x = QuantizedActivations.allocate(f, k, n).quantize(KernelFixtures.gaussian(rnd, n * k, 1), 0, n);
            float[] expected = new float[m * n];
            new ScalarKernel().matmul(w, x, expected);
            float[] actual = new float[m * n];
            kernel.matmul(kernel.prepare(w), x, actual);
            assertArrayEquals(expected, actual, name + " " + w);
        }
    }

    /** Kernels cache rearranged activations per thread; a change of the activations must be seen. */
    @ParameterizedTest
    @ValueSource(strings = {"vector:lut", "vector:swar", "vector:planes", "vector:tlut"})
    void changedActivationsAreNotServedFromTheCache(String name) {
        TernaryKernel kernel = Kernels.byName(name);
        SplittableRandom rnd = new SplittableRandom(8);
        int m = 40;
        int k = 512;
        for (TernaryFormat f : TernaryFormat.values()) {
            TernaryMatrix w = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
            PreparedWeights pw = kernel.prepare(w);
            QuantizedActivations x = KernelFixtures.rawActivations(f, new byte[][] {
                    KernelFixtures.randomInt8(rnd, k), KernelFixtures.randomInt8(rnd, k)}, k);
            float[] y = new float[2 * m];
            float[] expected = new float[2 * m];
            for (int step = 0; step < 3; step++) {
                kernel.matmul(pw, x, y);
                new ScalarKernel().matmul(w, x, expected);
                assertArrayEquals(expected, y, name + " " + f + " step " + step);
                x.setRow(step % 2, KernelFixtures.randomInt8(rnd, k), 1f);
            }
            x.rows(1); // fewer tokens, same data
            float[] y1 = new float[m];
            float[] e1 = new float[m];
            kernel.matmul(pw, x, y1);
            new ScalarKernel().matmul(w, x, e1);
            assertArrayEquals(e1, y1, name + " " + f + " after rows(1)");
        }
    }
}
