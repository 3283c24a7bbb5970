package dev.wrinklefree.runtime.model;

import dev.wrinklefree.kernels.format.Fp16;
import dev.wrinklefree.runtime.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A non-ternary weight matrix (token embedding, LM head) as a read-only view of its GGUF bytes: F32,
 * F16, BF16, Q8_0 or Q6_K, {@code rows} rows of {@code cols} values each (ggml: {@code ne1} rows of
 * {@code ne0}). Nothing is copied; rows are dequantized on demand.
 */
public final class DenseMatrix {
    /** Types this class reads. */
    public static final Set<GgmlType> SUPPORTED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q6_K);

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final GgmlType type;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final MemorySegment data;

    private DenseMatrix(GgmlType type, int rows, int cols, MemorySegment data) {
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.byteSize(new long[] {cols});
        this.data = data;
    }

    /**
     * Wraps matrix bytes without copying.
     *
     * @throws IllegalArgumentException if the type is not supported, {@code cols} is not a multiple of its
     *                                  block size, or the segment is too small
     */
    public static DenseMatrix of(GgmlType type, int rows, int cols, MemorySegment data) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (!SUPPORTED.contains(type)) {
            throw new IllegalArgumentException("dense matrices of type " + type + " are not supported (supported: "
                    + SUPPORTED + ")");
        }
        if (rows < 1 || cols < 1 || cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + ": bad shape " + rows + "x" + cols + " (columns must be a multiple of "
                    + type.blockSize() + ")");
        }
        long need = type.byteSize(new long[] {cols, rows});
        if (data.byteSize() < need) {
            throw new IllegalArgumentException(type + " " + rows + "x" + cols + " needs " + need + " bytes, got "
                    + data.byteSize());
        }
        return new DenseMatrix(type, rows, cols, data.asSlice(0, need).asReadOnly());
    }

    public GgmlType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Bytes per row. */
    public long rowBytes() {
        return rowBytes;
    }

    /** Read-only view of all bytes. */
    public MemorySegment data() {
        return data;
    }

    /** Bytes of the whole matrix. */
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * Writes row {@code row} as floats into {@code dst[off .. off+cols)}, exactly as ggml's
     * {@code dequantize_row_*} (or the F16/BF16 to F32 conversion) gives them.
     */
    public void dequantizeRow(int row, float[] dst, int off) {
        Objects.checkIndex(row, rows);
        long base = row * rowBytes;
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, base, dst, off, cols);
            case F16 -> {
                for (int i = 0; i < cols; i++) {
                    dst[off + i] = Float.float16ToFloat(data.get(I16, base + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < cols; i++) {
                    dst[off + i] = Float.intBitsToFloat((data.get(I16, base + 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long o = base + 34L * b;
                    float d = Fp16.get(data, o);
                    for (int j = 0; j < 32; j++) {
                        dst[off + b * 32 + j] = d * data.get(ValueLayout.JAVA_BYTE, o + 2 + j);
                    }
                }
            }
            case Q6_K -> dequantizeQ6K(data, base, cols, dst, off);
            default -> throw new IllegalStateException(type.toString());
        }
    }

    /** ggml {@code dequantize_row_q6_K}: blocks of {@code ql[128] qh[64] scales[16] d:f16}. */
    static void dequantizeQ6K(MemorySegment data, long base, int n, float[] y, int yOff) {
        for (int b = 0; b < n / 256; b++) {
            long blk = base + 210L * b;
            float d = Fp16.get(data, blk + 208);
            for (int half = 0; half < 2; half++) {
                long ql = blk + 64L * half;
                long qh = blk + 128 + 32L * half;
                long sc = blk + 192 + 8L * half;
                int y0 = yOff + b * 256 + half * 128;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int lo0 = data.get(ValueLayout.JAVA_BYTE, ql + l) & 0xFF;
                    int lo1 = data.get(ValueLayout.JAVA_BYTE, ql + l + 32) & 0xFF;
                    int h = data.get(ValueLayout.JAVA_BYTE, qh + l) & 0xFF;
                    int q1 = ((lo0 & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((lo1 & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((lo0 >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((lo1 >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[y0 + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    y[y0 + l + 32] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    y[y0 + l + 64] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    y[y0 + l + 96] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }

    @Override
    public String toString() {
        return type + " " + rows + "x" + cols;
    }
}
