package dev.wrinklefree.kernels.format;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Packs float or ternary weights into any {@link TernaryFormat} and unpacks them, byte for byte as the
 * reference quantizers do.
 */
public final class TernaryCodec {
    private TernaryCodec() {
    }

    /**
     * Quantizes a row-major {@code rows x cols} float matrix with the format's reference quantizer
     * (TQ: per-block {@code d = max|x|}; I2_S: sign of each weight, {@code scale = max|w|}; the input should
     * already be ternary, e.g. from {@link Absmean}).
     */
    public static byte[] packBytes(TernaryFormat format, float[] weights, int rows, int cols) {
        Objects.requireNonNull(weights, "weights");
        format.checkShape(rows, cols);
        if ((long) rows * cols != weights.length) {
            throw new IllegalArgumentException(format + " " + rows + "x" + cols + " needs " + (long) rows * cols
                    + " weights, got " + weights.length);
        }
        byte[] out = new byte[Math.toIntExact(format.tensorBytes(rows, cols))];
        int rowBytes = (int) format.rowBytes(cols);
        switch (format) {
            case TQ2_0 -> {
                for (int r = 0; r < rows; r++) {
                    Tq2_0.quantize(weights, r * cols, cols, out, r * rowBytes);
                }
            }
            case TQ1_0 -> {
                for (int r = 0; r < rows; r++) {
                    Tq1_0.quantize(weights, r * cols, cols, out, r * rowBytes);
                }
            }
            case I2_S -> I2s.quantize(weights, 0, rows * cols, out, 0);
        }
        return out;
    }

    /** {@link #packBytes} wrapped as a heap-backed matrix. */
    public static TernaryMatrix pack(TernaryFormat format, float[] weights, int rows, int cols) {
        return TernaryMatrix.of(format, rows, cols, packBytes(format, weights, rows, cols));
    }

    /**
     * Packs ternary values (-1, 0, 1) with scale 1: TQ blocks get {@code d = 1} (0 for an all-zero block),
     * I2_S gets scale 1. Kernel tests use it: outputs then equal the integer dot products exactly.
     */
    public static TernaryMatrix packTernary(TernaryFormat format, byte[] ternary, int rows, int cols) {
        float[] w = new float[ternary.length];
        for (int i = 0; i < w.length; i++) {
            int t = ternary[i];
            if (t < -1 || t > 1) {
                throw new IllegalArgumentException("ternary value at index " + i + " must be -1, 0 or 1, got " + t);
            }
            w[i] = t;
        }
        return pack(format, w, rows, cols);
    }

    /** Decodes row {@code row}'s codes (0, 1, 2 = w + 1) into {@code codes[0..K)}. */
    public static void decodeRowCodes(TernaryMatrix m, int row, byte[] codes) {
        if (codes.length < m.cols()) {
            throw new IllegalArgumentException("codes buffer needs " + m.cols() + " bytes, got " + codes.length);
        }
        MemorySegment d = m.data();
        long off = row * m.rowBytes();
        switch (m.format()) {
            case TQ2_0 -> Tq2_0.decodeCodes(d, off, m.cols(), codes, 0);
            case TQ1_0 -> Tq1_0.decodeCodes(d, off, m.cols(), codes, 0);
            case I2_S -> I2s.decodeCodes(d, off, m.cols(), codes, 0);
        }
    }

    /**
     * The first row holding code 3, or -1 if none does. Code 3 (both bits of a TQ2_0 or I2_S weight set) is a
     * weight of +2 in ggml's and bitnet.cpp's arithmetic ({@code code - 1}); the standard quantizers never write
     * it, but a file from elsewhere may hold it, and layouts built for ternary weights cannot express it. TQ1_0
     * (base 3) cannot hold it. Reads the packed bytes eight at a time, not the decoded codes: a 2560x2560 matrix
     * takes well under a millisecond.
     */
    public static int firstRowWithCodeThree(TernaryMatrix m) {
        if (m.format() == TernaryFormat.TQ1_0) {
            return -1;
        }
        MemorySegment d = m.data();
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED;
        // Code bytes per stretch: a TQ2_0 block's 64 qs bytes (its fp16 scale follows), or a whole I2_S row.
        boolean tq = m.format() == TernaryFormat.TQ2_0;
        long stretch = tq ? Tq2_0.QS_BYTES : m.rowBytes();
        long stride = tq ? Tq2_0.BLOCK_BYTES : m.rowBytes();
        long perRow = m.rowBytes() / stride;
        for (int r = 0; r < m.rows(); r++) {
            for (long b = 0; b < perRow; b++) {
                long at = r * m.rowBytes() + b * stride;
                long bits = 0;
                for (long o = 0; o < stretch; o += 8) {
                    long v = d.get(u64, at + o);
                    bits |= v & (v >>> 1) & 0x5555_5555_5555_5555L; // a 2-bit field with both bits set
                }
                if (bits != 0) {
                    return r;
                }
            }
        }
        return -1;
    }

    /**
     * Refuses a matrix holding code 3 (see {@link #firstRowWithCodeThree}) for a layout that has ternary weights only.
     *
     * @param layout names the layout in the message
     * @throws IllegalArgumentException naming the matrix, the first such row and its first such column
     */
    public static void requireTernaryCodes(TernaryMatrix m, String layout) {
        int r = firstRowWithCodeThree(m);
        if (r < 0) {
            return;
        }
        byte[] codes = new byte[m.cols()];
        decodeRowCodes(m, r, codes);
        int k = 0;
        while (k < codes.length && codes[k] != 3) {
            k++;
        }
        throw new IllegalArgumentException(m + ": row " + r + " holds code 3 (a weight of +2) at K " + k + "; " + layout
                + " has ternary weights only (-1, 0, +1)");
    }

    /** Scale of 256-block {@code block} of row {@code row} (TQ), or the tensor scale (I2_S). */
    public static float blockScale(TernaryMatrix m, int row, int block) {
        long off = row * m.rowBytes();
        return switch (m.format()) {
            case TQ2_0 -> Tq2_0.blockScale(m.data(), off, block);
            case TQ1_0 -> Tq1_0.blockScale(m.data(), off, block);
            case I2_S -> m.tensorScale();
        };
    }

    /** Ternary values (-1, 0, 1) of the whole matrix, row-major. */
    public static byte[] unpackTernary(TernaryMatrix m) {
        byte[] out = new byte[Math.toIntExact(m.weightCount())];
        byte[] codes = new byte[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            decodeRowCodes(m, r, codes);
            for (int k = 0; k < m.cols(); k++) {
                out[r * m.cols() + k] = (byte) (codes[k] - 1);
            }
        }
        return out;
    }

    /** Dequantized weights, row-major: {@code (code - 1) * scale} as ggml's {@code dequantize_row_*} gives them. */
    public static float[] dequantize(TernaryMatrix m) {
        float[] out = new float[Math.toIntExact(m.weightCount())];
        byte[] codes = new byte[m.cols()];
        int bw = m.format() == TernaryFormat.I2_S ? m.cols() : 256;
        for (int r = 0; r < m.rows(); r++) {
            decodeRowCodes(m, r, codes);
            for (int k = 0; k < m.cols(); k++) {
                out[r * m.cols() + k] = (codes[k] - 1) * blockScale(m, r, k / bw);
            }
        }
        return out;
    }
}
