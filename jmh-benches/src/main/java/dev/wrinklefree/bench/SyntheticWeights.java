package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Random but valid packed ternary matrices of a given shape, written straight into packed bytes (packing
 * real floats through the reference quantizers would take seconds for the large shapes). Every 2-bit code
 * is 0, 1 or 2; every TQ1_0 byte is the fraction of a base-3 number below 243; block scales are
 * positive halves around 0.02, the I2_S tensor scale 0.02.
 */
final class SyntheticWeights {
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SyntheticWeights() {
    }

    /** A {@code rows x cols} matrix in {@code arena}, about one third of the weights zero. */
    static TernaryMatrix random(TernaryFormat f, int rows, int cols, Arena arena, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long bytes = f.tensorBytes(rows, cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        byte[] twoBit = new byte[81];
        for (int i = 0; i < 81; i++) {
            twoBit[i] = (byte) ((i % 3) | (i / 3 % 3) << 2 | (i / 9 % 3) << 4 | (i / 27 % 3) << 6);
        }
        long rowBytes = f.rowBytes(cols);
        byte[] row = new byte[(int) rowBytes];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < row.length; i++) {
                if (f != TernaryFormat.TQ1_0) {
                    row[i] = twoBit[rnd.nextInt(81)];
                } else {
                    // qs bytes hold 5 base-3 digits, the 4 qh bytes 4 digits shifted up by one.
                    int q = i % 54 < 48 ? rnd.nextInt(243) : rnd.nextInt(81) * 3;
                    row[i] = (byte) ((q * 256 + 242) / 243);
                }
            }
            MemorySegment.copy(row, 0, seg, ValueLayout.JAVA_BYTE, r * rowBytes, row.length);
            if (f != TernaryFormat.I2_S) {
                int scaleAt = f == TernaryFormat.TQ2_0 ? 64 : 52;
                for (int b = 0; b < cols / 256; b++) {
                    float d = (float) (0.015 + 0.01 * rnd.nextDouble());
                    seg.set(F16, r * rowBytes + (long) b * f.blockBytes() + scaleAt, Float.floatToFloat16(d));
                }
            }
        }
        if (f == TernaryFormat.I2_S) {
            seg.set(F32, rows * rowBytes, 0.02f);
        }
        return TernaryMatrix.of(f, rows, cols, seg);
    }

    /** A copy of {@code m}'s packed bytes in {@code arena}. */
    static TernaryMatrix copy(TernaryMatrix m, Arena arena) {
        MemorySegment seg = arena.allocate(m.byteSize(), 64);
        seg.copyFrom(m.data());
        return TernaryMatrix.of(m.format(), m.rows(), m.cols(), seg);
    }

    /** Random activations quantized into {@code x}'s format, {@code n} rows. */
    static float[] gaussian(SplittableRandom rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (rnd.nextGaussian());
        }
        return f;
    }
}
