package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.format.Fp16;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.wrinklefree.kernels.ffm.NativeTests.requireLibrary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native dense GEMV on every ISA path this CPU runs, against sums in double precision: within float rounding
 * for real scales, exactly where the arithmetic is integer (Q8_0 with unit scales and sums below 2^24).
 */
class NativeDenseTest {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final float SENTINEL = -4242.5f;

    private static List<Isa> paths() {
        requireLibrary();
        List<Isa> paths = NativeDense.usablePaths();
        assumeTrue(!paths.isEmpty(), () -> NativeDense.unavailableReason().orElse("no path"));
        return paths;
    }

    /** F16 rows: random halves (subnormals and signs included), padding between rows, any column count. */
    private static byte[] f16Rows(SplittableRandom rnd, int rows, int cols, long rowBytes) {
        byte[] b = new byte[(int) (rows * rowBytes)];
        MemorySegment s = MemorySegment.ofArray(b);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                // exponents 0..29: subnormals, small and large normals; no inf or NaN
                int h = rnd.nextInt(30) << 10 | rnd.nextInt(1024) | (rnd.nextBoolean() ? 0x8000 : 0);
                s.set(U16, r * rowBytes + 2L * i, (short) h);
            }
        }
        return b;
    }

    private static byte[] q8Rows(SplittableRandom rnd, int rows, int cols, long rowBytes, boolean unitScales) {
        byte[] b = new byte[(int) (rows * rowBytes)];
        MemorySegment s = MemorySegment.ofArray(b);
        for (int r = 0; r < rows; r++) {
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = r * rowBytes + 34L * blk;
                s.set(U16, o, unitScales ? Fp16.fromFloat(1f) : Fp16.fromFloat((float) (0.001 + rnd.nextDouble() * 0.05)));
                for (int j = 0; j < 32; j++) {
                    b[(int) (o + 2 + j)] = (byte) rnd.nextInt(256);  // -128 included
                }
            }
        }
        return b;
    }

    private static double[] f16Reference(MemorySegment w, long rowBytes, int rows, int cols, float[] x, double[] mag) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                double t = (double) Float.float16ToFloat(w.get(U16, r * rowBytes + 2L * i)) * x[i];
                y[r] += t;
                mag[r] += Math.abs(t);
            }
        }
        return y;
    }

    private static double[] q8Reference(MemorySegment w, long rowBytes, int rows, int cols, byte[] xq, float[] xd, double[] mag) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int blk = 0; blk < cols / 32; blk++) {
                long o = r * rowBytes + 34L * blk;
                long isum = 0;
                for (int j = 0; j < 32; j++) {
                    isum += (long) w.get(ValueLayout.JAVA_BYTE, o + 2 + j) * xq[32 * blk + j];
                }
                // the scale as the Java head forms it: one float multiply
                double t = isum * (double) (Float.float16ToFloat(w.get(U16, o)) * xd[blk]);
                y[r] += t;
                mag[r] += Math.abs(t);
            }
        }
        return y;
    }

    private static void assertClose(double[] expect, double[] mag, float[] got, int rowStart, int rowEnd, String what) {
        for (int r = 0; r < got.length; r++) {
            if (r < rowStart || r >= rowEnd) {
                assertEquals(SENTINEL, got[r], 0f, what + ": row " + r + " outside the range was written");
                continue;
            }
            // float rounding of a sum of cols products in any order: far below this bound
            double tol = 1e-5 * mag[r] + 1e-30;
            if (!(Math.abs(expect[r] - got[r]) <= tol)) {
                throw new AssertionError(what + ": row " + r + " expected " + expect[r] + ", got " + got[r] + " (tolerance " + tol + ")");
            }
        }
    }

    @TestFactory
    List<DynamicTest> f16MatchesTheDoubleSum() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Isa isa : paths()) {
            tests.add(DynamicTest.dynamicTest(isa.variantName(), () -> {
                SplittableRandom rnd = new SplittableRandom(3);
                for (int cols : new int[] {1, 7, 8, 15, 16, 33, 63, 64, 65, 100, 1536, 2560}) {
                    int rows = 1 + rnd.nextInt(40);
                    long rowBytes = 2L * cols + 2L * rnd.nextInt(3);
                    MemorySegment w = MemorySegment.ofArray(f16Rows(rnd, rows, cols, rowBytes));
                    float[] x = new float[cols];
                    for (int i = 0; i < cols; i++) {
                        x[i] = Float.float16ToFloat(Float.floatToFloat16((float) rnd.nextGaussian()));
                    }
                    double[] mag = new double[rows];
                    double[] expect = f16Reference(w, rowBytes, rows, cols, x, mag);
                    int r0 = rnd.nextInt(rows);
                    int r1 = r0 + rnd.nextInt(rows - r0 + 1);
                    float[] y = new float[rows];
                    Arrays.fill(y, SENTINEL);
                    NativeDense.f16(isa, w, rowBytes, cols, x, y, r0, r1);
                    assertClose(expect, mag, y, r0, r1, isa.variantName() + " F16 " + rows + "x" + cols);
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> q8_0MatchesTheDoubleSum() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Isa isa : paths()) {
            tests.add(DynamicTest.dynamicTest(isa.variantName(), () -> {
                SplittableRandom rnd = new SplittableRandom(4);
                for (int cols : new int[] {32, 64, 96, 256, 1536, 2560}) {
                    int rows = 1 + rnd.nextInt(40);
                    long rowBytes = cols / 32 * 34L + rnd.nextInt(3);
                    MemorySegment w = MemorySegment.ofArray(q8Rows(rnd, rows, cols, rowBytes, false));
                    byte[] xq = new byte[cols];
                    float[] xd = new float[cols / 32];
                    for (int i = 0; i < cols; i++) {
                        xq[i] = (byte) rnd.nextInt(256);
                    }
                    for (int b = 0; b < xd.length; b++) {
                        xd[b] = Fp16.toFloat(Fp16.fromFloat((float) rnd.nextDouble() * 0.1f));
                    }
                    double[] mag = new double[rows];
                    double[] expect = q8Reference(w, rowBytes, rows, cols, xq, xd, mag);
                    float[] y = new float[rows];
                    Arrays.fill(y, SENTINEL);
                    NativeDense.q8_0(isa, w, rowBytes, cols, xq, xd, y, 0, rows);
                    assertClose(expect, mag, y, 0, rows, isa.variantName() + " Q8_0 " + rows + "x" + cols);
                }
            }));
        }
        return tests;
    }

    /**
     * Unit scales and |sum| below 2^24: every partial sum is an exact integer in float, so the result is the exact
     * integer dot product whatever the order; int8 extremes (-128 against -128) included.
     */
    @TestFactory
    List<DynamicTest> q8_0IntegersAreExact() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Isa isa : paths()) {
            tests.add(DynamicTest.dynamicTest(isa.variantName(), () -> {
                SplittableRandom rnd = new SplittableRandom(5);
                int cols = 512;  // at most 512 * 128 * 128 = 2^23 in magnitude
                int rows = 6;
                long rowBytes = cols / 32 * 34L;
                byte[] bytes = q8Rows(rnd, rows, cols, rowBytes, true);
                MemorySegment w = MemorySegment.ofArray(bytes);
                for (int j = 0; j < cols; j++) {  // row 0 all -128, row 1 all 127, row 2 alternating
                    bytes[(int) (j / 32 * 34L + 2 + j % 32)] = (byte) -128;
                    bytes[(int) (rowBytes + j / 32 * 34L + 2 + j % 32)] = (byte) 127;
                    bytes[(int) (2 * rowBytes + j / 32 * 34L + 2 + j % 32)] = (byte) (j % 2 == 0 ? -128 : 127);
                }
                for (byte[] xq : new byte[][] {fill(cols, -128), fill(cols, 127), random(rnd, cols)}) {
                    float[] xd = new float[cols / 32];
                    Arrays.fill(xd, 1f);
                    float[] y = new float[rows];
                    NativeDense.q8_0(isa, w, rowBytes, cols, xq, xd, y, 0, rows);
                    for (int r = 0; r < rows; r++) {
                        long dot = 0;
                        for (int j = 0; j < cols; j++) {
                            dot += (long) bytes[(int) (r * rowBytes + j / 32 * 34L + 2 + j % 32)] * xq[j];
                        }
                        assertEquals((float) dot, y[r], 0f, isa.variantName() + " row " + r);
                    }
                }
            }));
        }
        return tests;
    }

    /** Heap, off-heap at an odd address and memory-mapped weights give the same outputs. */
    @Test
    void weightResidency(@TempDir Path dir) throws Exception {
        List<Isa> paths = paths();
        SplittableRandom rnd = new SplittableRandom(6);
        int rows = 70;
        int cols = 1024;
        long f16Row = 2L * cols;
        long q8Row = cols / 32 * 34L;
        byte[] f16 = f16Rows(rnd, rows, cols, f16Row);
        byte[] q8 = q8Rows(rnd, rows, cols, q8Row, false);
        float[] x = new float[cols];
        byte[] xq = random(rnd, cols);
        float[] xd = new float[cols / 32];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        Arrays.fill(xd, 0.02f);
        for (Isa isa : paths) {
            float[] f16Heap = new float[rows];
            float[] q8Heap = new float[rows];
            NativeDense.f16(isa, MemorySegment.ofArray(f16), f16Row, cols, x, f16Heap, 0, rows);
            NativeDense.q8_0(isa, MemorySegment.ofArray(q8), q8Row, cols, xq, xd, q8Heap, 0, rows);
            for (byte[] bytes : List.of(f16, q8)) {
                boolean isF16 = bytes == f16;
                Path file = dir.resolve(isF16 ? "f16.bin" : "q8.bin");
                Files.write(file, bytes);
                try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    MemorySegment odd = arena.allocate(bytes.length + 1, 64).asSlice(1).copyFrom(MemorySegment.ofArray(bytes));
                    MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
                    for (MemorySegment seg : List.of(odd, mapped)) {
                        float[] y = new float[rows];
                        if (isF16) {
                            NativeDense.f16(isa, seg, f16Row, cols, x, y, 0, rows);
                        } else {
                            NativeDense.q8_0(isa, seg, q8Row, cols, xq, xd, y, 0, rows);
                        }
                        assertEquals(Arrays.toString(isF16 ? f16Heap : q8Heap), Arrays.toString(y),
                                isa.variantName() + (isF16 ? " F16" : " Q8_0") + (seg.isMapped() ? " mapped" : " off-heap"));
                    }
                }
            }
        }
    }

    /** Sizes and ranges are checked before the downcall: a short segment is an error, not a read past its end. */
    @Test
    void badArgumentsAreRejectedBeforeNativeCode() {
        assumeTrue(NativeLibrary.isLoaded() && NativeDense.unavailableReason().isEmpty(), "native dense unavailable");
        MemorySegment w = MemorySegment.ofArray(new byte[10 * 64]);
        float[] y = new float[10];
        assertThrows(IllegalArgumentException.class, () -> NativeDense.f16(w, 64, 32, new float[32], y, 0, 11));
        assertThrows(IllegalArgumentException.class, () -> NativeDense.f16(w, 64, 33, new float[33], y, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NativeDense.f16(w, 64, 32, new float[31], y, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NativeDense.f16(w, 70, 32, new float[32], y, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> NativeDense.q8_0(w, 34, 48, new byte[48], new float[2], y, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NativeDense.q8_0(w, 34, 32, new byte[32], new float[0], y, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NativeDense.q8_0(w, 68, 64, new byte[64], new float[2], y, 0, 10));
        assertFalse(NativeDense.usablePaths().isEmpty());
    }

    private static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static byte[] random(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }
}
