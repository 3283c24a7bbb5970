package dev.wrinklefree.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A packed ternary weight matrix in one of the standard formats, as a read-only view of its bytes.
 *
 * <p>The bytes are exactly those of the GGUF tensor ({@link TernaryFormat#tensorBytes(long, long)} long):
 * heap memory, off-heap memory or a slice of a memory-mapped file; nothing is copied. Kernels that
 * want another layout repack in {@link TernaryKernel#prepare(TernaryMatrix)} and keep the standard bytes
 * untouched.
 */
public final class TernaryMatrix implements PreparedWeights {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TernaryFormat format;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    private final float tensorScale;

    private TernaryMatrix(TernaryFormat format, int rows, int cols, MemorySegment data) {
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.tensorScale = format == TernaryFormat.I2_S
                ? data.get(F32_LE, (long) rows * format.rowBytes(cols))
                : Float.NaN;
    }

    /**
     * Wraps packed bytes without copying.
     *
     * @param format the packed format
     * @param rows   M, the number of outputs, at least 1
     * @param cols   K, the reduction length, a positive multiple of the format's block size
     * @param data   at least {@code format.tensorBytes(rows, cols)} bytes; only that prefix is used
     * @throws IllegalArgumentException if the shape does not fit the format or the segment is too small
     */
    public static TernaryMatrix of(TernaryFormat format, int rows, int cols, MemorySegment data) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(data, "data");
        format.checkShape(rows, cols);
        long need = format.tensorBytes(rows, cols);
        if (data.byteSize() < need) {
            throw new IllegalArgumentException(format + " " + rows + "x" + cols + " needs " + need
                    + " bytes of packed data, got " + data.byteSize());
        }
        return new TernaryMatrix(format, rows, cols, data.asSlice(0, need).asReadOnly());
    }

    /** Wraps a packed byte array without copying. */
    public static TernaryMatrix of(TernaryFormat format, int rows, int cols, byte[] data) {
        return of(format, rows, cols, MemorySegment.ofArray(Objects.requireNonNull(data, "data")));
    }

    public TernaryFormat format() {
        return format;
    }

    /** M: outputs. */
    public int rows() {
        return rows;
    }

    /** K: inputs, the reduction length. */
    public int cols() {
        return cols;
    }

    /** Read-only view of the standard packed bytes, {@link #byteSize()} long. */
    public MemorySegment data() {
        return data;
    }

    /** Packed bytes of the whole tensor, tail included. */
    public long byteSize() {
        return data.byteSize();
    }

    /** Packed bytes per row (no tail). */
    public long rowBytes() {
        return format.rowBytes(cols);
    }

    /** The per-tensor f32 scale of an I2_S matrix; NaN for the TQ formats, whose scales are per block. */
    public float tensorScale() {
        return tensorScale;
    }

    /** Weights in the matrix: M * K. */
    public long weightCount() {
        return (long) rows * cols;
    }

    @Override
    public TernaryMatrix matrix() {
        return this;
    }

    @Override
    public String toString() {
        return format + " " + rows + "x" + cols;
    }
}
