package dev.wrinklefree.kernels.ffm;

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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.wrinklefree.kernels.ffm.NativeTests.randomInt8;
import static dev.wrinklefree.kernels.ffm.NativeTests.randomTernary;
import static dev.wrinklefree.kernels.ffm.NativeTests.requireLibrary;
import static dev.wrinklefree.kernels.ffm.NativeTests.unitActivations;
import static dev.wrinklefree.kernels.ffm.NativeTests.unitMatrix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What is particular to {@code native:lut} (its results against the oracle are covered with every other variant by
 * NativeKernelTest and KernelContractTest): the repacked layout decodes back to the original weights, its size is
 * what {@code extraBytes} reports, matrices it cannot hold fall back to the in-place kernels, and the per-thread
 * tables follow changes of the activations.
 */
class NativeLutKernelTest {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final TernaryKernel ORACLE = new ScalarKernel();

    private static NativeLutKernel lut() {
        requireLibrary();
        assumeTrue(NativeLibrary.lutUsable(), "this CPU does not run the LUT kernels (AVX-512 BW)");
        return (NativeLutKernel) new NativeKernelProvider().create(NativeKernelProvider.LUT);
    }

    /**
     * Reads the layout back, independently of the C code, from its description in wf_lut.h: code (0..2) of weight
     * {@code col} of row {@code row}, and the raw f16 bits of the row's block scale.
     */
    private record Layout(TernaryFormat format, int m, int k, int rowsPerPanel, int chunk, int words, MemorySegment data) {
        static Layout of(NativeLutKernel.LutWeights w) {
            NativeLibrary.Lut lib = NativeLibrary.loaded().lut();
            TernaryMatrix m = w.matrix();
            return new Layout(m.format(), m.rows(), m.cols(), lib.rowsPerPanel(), lib.segmentsPerChunk(),
                    lib.wordsPerSegment(), w.lut);
        }

        int groupsPerPanel() {
            return rowsPerPanel / 32;
        }

        int segs() {
            return (k + 255) / 256;
        }

        int panels() {
            return (m + rowsPerPanel - 1) / rowsPerPanel;
        }

        long segBytes() {
            return (long) (words + (format == TernaryFormat.I2_S ? 0 : 1)) * groupsPerPanel() * 64;
        }

        long bytes() {
            return (long) panels() * segs() * segBytes();
        }

        long segOffset(int p, int s) {
            int s0 = s / chunk * chunk;
            int len = Math.min(chunk, segs() - s0);
            return ((long) panels() * s0 + (long) p * len + (s - s0)) * segBytes();
        }

        /** Lane offset of row r in a 64-byte line of group words. */
        long lane(int r) {
            return 2L * (r % 32);
        }

        int code(int r, int col) {
            int p = r / rowsPerPanel;
            int grp = (r % rowsPerPanel) / 32;
            int s = col / 256;
            int j = col % 256;
            int g = j % 86;        // group g holds weights g, g + 86, g + 172 of the segment
            int digit = j / 86;    // most significant first
            int w = g % words;     // word w holds groups w, w + 29, w + 58
            int field = g / words;
            int word = data.get(U16, segOffset(p, s) + ((long) w * groupsPerPanel() + grp) * 64 + lane(r)) & 0xFFFF;
            int idx = (word >> (5 * field)) & 31;
            assertTrue(idx < 27 && (word & 0x8000) == 0, "row " + r + " col " + col + ": word " + Integer.toHexString(word));
            return digit == 0 ? idx / 9 : digit == 1 ? idx / 3 % 3 : idx % 3;
        }

        short scaleBits(int r, int s) {
            int p = r / rowsPerPanel;
            int grp = (r % rowsPerPanel) / 32;
            return data.get(U16, segOffset(p, s) + ((long) words * groupsPerPanel() + grp) * 64 + lane(r));
        }

        /** The words of padding: every index 13 (three zero weights). */
        void checkPaddingRow(int r) {
            int p = r / rowsPerPanel;
            int grp = (r % rowsPerPanel) / 32;
            for (int s = 0; s < segs(); s++) {
                for (int w = 0; w < words; w++) {
                    int word = data.get(U16, segOffset(p, s) + ((long) w * groupsPerPanel() + grp) * 64 + lane(r)) & 0xFFFF;
                    assertEquals(13 | 13 << 5 | 13 << 10, word, "padding row " + r + " segment " + s + " word " + w);
                }
                if (format != TernaryFormat.I2_S) {
                    assertEquals(0, scaleBits(r, s), "padding row " + r + " scale");
                }
            }
        }
    }

    /** Every weight and block scale survives the repacking; tails (rows past a panel, I2_S's half segment) included. */
    @TestFactory
    List<DynamicTest> repackingRoundTrips() {
        NativeLutKernel kernel = lut();
        List<DynamicTest> tests = new ArrayList<>();
        for (TernaryFormat f : TernaryFormat.values()) {
            int[][] shapes = f == TernaryFormat.I2_S
                    ? new int[][] {{1, 128}, {63, 384}, {64, 256}, {65, 640}, {130, 2560}}
                    : new int[][] {{1, 256}, {63, 768}, {64, 512}, {65, 1280}, {130, 2560}};
            for (int[] shape : shapes) {
                tests.add(DynamicTest.dynamicTest(f + " " + shape[0] + "x" + shape[1], () -> {
                    int m = shape[0];
                    int k = shape[1];
                    SplittableRandom rnd = new SplittableRandom(m * 31L + k + f.ordinal());
                    // TQ1_0: arbitrary bytes (every byte is a valid base-3 code); TQ2_0, I2_S: codes 0..2 only
                    TernaryMatrix w = f == TernaryFormat.TQ1_0 ? randomTq1(rnd, m, k) : unitMatrix(f, randomTernary(rnd, m * k), m, k);
                    NativeLutKernel.LutWeights lw = assertInstanceOf(NativeLutKernel.LutWeights.class, kernel.prepare(w));
                    Layout layout = Layout.of(lw);
                    assertEquals(layout.bytes(), lw.extraBytes(), "extraBytes is the layout's size");
                    assertEquals(layout.bytes(), lw.lut.byteSize());
                    byte[] codes = new byte[k];
                    for (int r = 0; r < m; r++) {
                        TernaryCodec.decodeRowCodes(w, r, codes);
                        for (int c = 0; c < k; c++) {
                            if (layout.code(r, c) != codes[c]) {
                                throw new AssertionError(w + " row " + r + " col " + c + ": layout code " + layout.code(r, c)
                                        + ", matrix code " + codes[c]);
                            }
                        }
                        if (f != TernaryFormat.I2_S) {
                            long dOff = f == TernaryFormat.TQ2_0 ? 64 : 52;
                            for (int s = 0; s < k / 256; s++) {
                                short expect = w.data().get(U16, r * w.rowBytes() + s * (long) f.blockBytes() + dOff);
                                assertEquals(expect, layout.scaleBits(r, s), "row " + r + " block " + s + " scale");
                            }
                        }
                    }
                    for (int r = m; r < layout.panels() * layout.rowsPerPanel(); r++) {
                        layout.checkPaddingRow(r);
                    }
                    if (k % 256 != 0) {  // I2_S: the empty half of the last segment holds zero weights
                        for (int r = 0; r < m; r++) {
                            for (int c = k; c < layout.segs() * 256; c++) {
                                assertEquals(1, layout.code(r, c), "row " + r + " weight " + c + " past K");
                            }
                        }
                    }
                }));
            }
        }
        return tests;
    }

    /** Bits per weight of the layout at a real shape: 1.875 with TQ's f16 scales, 1.8125 for I2_S. */
    @Test
    void layoutSize() {
        NativeLutKernel kernel = lut();
        SplittableRandom rnd = new SplittableRandom(1);
        for (TernaryFormat f : TernaryFormat.values()) {
            TernaryMatrix w = unitMatrix(f, randomTernary(rnd, 128 * 2560), 128, 2560);
            double bits = kernel.prepare(w).extraBytes() * 8.0 / w.weightCount();
            assertEquals(f == TernaryFormat.I2_S ? 1.8125 : 1.875, bits, 1e-9, f.toString());
        }
    }

    /** TQ1_0 from arbitrary bytes with real f16 scales: bit-identical to the oracle for any block content. */
    @Test
    void arbitraryTq1BytesMatchTheOracle() {
        NativeLutKernel kernel = lut();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] shape : new int[][] {{70, 768}, {129, 2560}}) {
            TernaryMatrix w = randomTq1(rnd, shape[0], shape[1]);
            for (int n : new int[] {1, 3, 9, NativeLutKernel.TLUT_MIN_TOKENS, 40}) {  // batches: the token-table kernel
                QuantizedActivations x = QuantizedActivations.allocate(TernaryFormat.TQ1_0, shape[1], n)
                        .quantize(gaussian(rnd, n * shape[1]), 0, n);
                assertBitIdentical(run(ORACLE, w, x, 0, w.rows()), run(kernel, w, x, 0, w.rows()), w + " N=" + n);
            }
        }
    }

    /** A weight code 3 (+2 to the oracle) has no LUT index: the matrix stays as it is and the in-place kernel runs. */
    @Test
    void codeThreeFallsBackToTheInPlaceKernel() {
        NativeLutKernel kernel = lut();
        SplittableRandom rnd = new SplittableRandom(9);
        for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ2_0, TernaryFormat.I2_S}) {
            int m = 40;
            int k = 512;
            byte[] bytes = new byte[(int) f.tensorBytes(m, k)];
            TernaryMatrix ok = unitMatrix(f, randomTernary(rnd, m * k), m, k);
            ok.data().asByteBuffer().get(bytes);
            bytes[(int) ok.rowBytes() * 17 + 3] |= 0x0C;  // one weight of row 17 becomes code 3
            TernaryMatrix w = TernaryMatrix.of(f, m, k, bytes);
            PreparedWeights pw = kernel.prepare(w);
            assertInstanceOf(NativeLutKernel.InPlaceWeights.class, pw, "not repacked");
            assertSame(w, pw.matrix());
            assertEquals(0, pw.extraBytes());
            QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, 2 * k), 2, k);
            assertBitIdentical(run(ORACLE, w, x, 0, m), run(kernel, w, x, 0, m), f + " with code 3");
            int n = NativeLutKernel.TLUT_MIN_TOKENS + 1;
            QuantizedActivations batch = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
            assertBitIdentical(run(ORACLE, w, batch, 0, m), run(kernel, w, batch, 0, m), f + " with code 3, N=" + n);
        }
    }

    /**
     * Batches of {@link NativeLutKernel#TLUT_MIN_TOKENS} tokens or more use the token-table layout, built once on
     * the first of them; its offsets decode back to the weights, and the bytes are counted once it exists.
     */
    @Test
    void batchesBuildTheTokenTableLayoutOnce() {
        NativeLutKernel kernel = lut();
        SplittableRandom rnd = new SplittableRandom(21);
        for (TernaryFormat f : TernaryFormat.values()) {
            int m = 70;
            int k = f == TernaryFormat.I2_S ? 384 : 512;
            TernaryMatrix w = unitMatrix(f, randomTernary(rnd, m * k), m, k);
            NativeLutKernel.LutWeights lw = assertInstanceOf(NativeLutKernel.LutWeights.class, kernel.prepare(w));
            long lutOnly = lw.extraBytes();
            QuantizedActivations one = unitActivations(f.activationFormat(), randomInt8(rnd, k), 1, k);
            kernel.matmul(lw, one, new float[m]);
            assertEquals(lutOnly, lw.extraBytes(), f + ": one token must not build the token-table layout");
            int n = NativeLutKernel.TLUT_MIN_TOKENS;
            QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
            assertBitIdentical(run(ORACLE, w, x, 0, m), run(kernel, w, x, 0, m), f + " N=" + n);
            var b = lw.batched.get();
            assertSame(b, lw.batched.get(), "built once");
            assertEquals(lutOnly + b.bytes(), lw.extraBytes());
            assertEquals((long) m * k / 2 + (f == TernaryFormat.I2_S ? 0 : (long) m * (k / 256) * 4), b.bytes());
            assertEquals(b.bytes(), lw.bytesPerCall(n));
            assertEquals(b.bytes() + lw.lut.byteSize(), lw.bytesPerCall(n + 5), "a tile and 5 tokens for vpermw");
            assertEquals(lw.lut.byteSize(), lw.bytesPerCall(1));
            byte[] expect = new byte[k];
            byte[] got = new byte[k];
            for (int r = 0; r < m; r++) {
                TernaryCodec.decodeRowCodes(w, r, expect);
                b.decodeRowCodes(r, got);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expect, got, f + " row " + r);
            }
        }
    }

    /** Only weights this kernel prepared are accepted: the standard matrix itself is refused, naming it. */
    @Test
    void rawMatricesAreRefused() {
        NativeLutKernel kernel = lut();
        TernaryMatrix w = unitMatrix(TernaryFormat.TQ2_0, new byte[64 * 256], 64, 256);
        QuantizedActivations x = QuantizedActivations.allocate(TernaryFormat.TQ2_0, 256, 1).rows(1);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> kernel.matmul(w, x, new float[64]));
        assertTrue(e.getMessage().contains(w.toString()), e.getMessage());
    }

    /** Tables are rebuilt when the activations change (same object, new version) or another object comes. */
    @Test
    void tablesFollowTheActivations() {
        NativeLutKernel kernel = lut();
        SplittableRandom rnd = new SplittableRandom(13);
        int m = 96;
        int k = 1024;
        TernaryMatrix w = unitMatrix(TernaryFormat.TQ2_0, randomTernary(rnd, m * k), m, k);
        PreparedWeights pw = kernel.prepare(w);
        QuantizedActivations x = unitActivations(TernaryFormat.TQ2_0.activationFormat(), randomInt8(rnd, 2 * k), 2, k);
        QuantizedActivations other = unitActivations(TernaryFormat.TQ2_0.activationFormat(), randomInt8(rnd, k), 1, k);
        for (int step = 0; step < 4; step++) {
            for (QuantizedActivations a : List.of(x, other, x)) {
                float[] y = new float[a.rows() * m];
                kernel.matmul(pw, a, y);
                assertBitIdentical(run(ORACLE, w, a, 0, m), y, "step " + step + ", N=" + a.rows());
            }
            x.setRow(step % 2, randomInt8(rnd, k), 1f);  // same object, new contents
        }
    }

    /** Row ranges that start and end inside panels write exactly their rows. */
    @Test
    void rowRangesInsidePanels() {
        NativeLutKernel kernel = lut();
        SplittableRandom rnd = new SplittableRandom(17);
        for (TernaryFormat f : TernaryFormat.values()) {
            int m = 3 * kernel.rowAlignment() + 5;
            int k = 768;
            TernaryMatrix w = unitMatrix(f, randomTernary(rnd, m * k), m, k);
            int n = f == TernaryFormat.TQ1_0 ? NativeLutKernel.TLUT_MIN_TOKENS + 3 : 3;  // and the batch kernel
            QuantizedActivations x = unitActivations(f.activationFormat(), randomInt8(rnd, n * k), n, k);
            for (int i = 0; i < 20; i++) {
                int a = rnd.nextInt(m + 1);
                int b = rnd.nextInt(m + 1);
                int r0 = Math.min(a, b);
                int r1 = Math.max(a, b);
                assertBitIdentical(run(ORACLE, w, x, r0, r1), run(kernel, w, x, r0, r1), f + " rows [" + r0 + ", " + r1 + ")");
            }
        }
    }

    private static TernaryMatrix randomTq1(SplittableRandom rnd, int m, int k) {
        byte[] bytes = new byte[(int) TernaryFormat.TQ1_0.tensorBytes(m, k)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) rnd.nextInt(256);
        }
        for (int r = 0; r < m; r++) {
            for (int b = 0; b < k / 256; b++) {
                int at = r * (k / 256) * 54 + b * 54 + 52;
                int half = 0x2000 + rnd.nextInt(0x2000);  // finite, normal f16 in [2^-7, 2)
                bytes[at] = (byte) half;
                bytes[at + 1] = (byte) (half >> 8);
            }
        }
        return TernaryMatrix.of(TernaryFormat.TQ1_0, m, k, bytes);
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static float[] run(TernaryKernel kernel, TernaryMatrix w, QuantizedActivations x, int r0, int r1) {
        float[] y = new float[x.rows() * w.rows()];
        Arrays.fill(y, -777f);
        kernel.matmul(kernel.prepare(w), x, y, 0, r0, r1);
        return y;
    }

    private static void assertBitIdentical(float[] expect, float[] got, String what) {
        for (int i = 0; i < expect.length; i++) {
            if (Float.floatToIntBits(expect[i]) != Float.floatToIntBits(got[i])) {
                throw new AssertionError(what + ": y[" + i + "] expected " + expect[i] + ", got " + got[i]);
            }
        }
    }
}
