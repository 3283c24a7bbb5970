package dev.wrinklefree.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * A batch of {@code N} activation rows (tokens) of length {@code K}, quantized to int8, reused across
 * calls: allocate once with a capacity, then {@link #quantize} into it for every step. Nothing is
 * allocated per call.
 *
 * <p>Layout (struct of arrays, row-major): {@link #quants()} holds {@code N*K} int8 values in element
 * order. For {@link ActivationFormat#Q8_K}, {@link #scales()} holds one {@code d} per 256-block
 * ({@code N*K/256}), {@link #sums()} the int sum of each block's quants and {@link #bsums()} the sums of
 * each 16 quants ({@code N*K/16}), as ggml's {@code block_q8_K} has them. For {@link ActivationFormat#I8_S},
 * {@link #scales()} holds one {@code s = 127/max|x|} per row and {@link #sums()} the int sum of the row.
 *
 * <p>Not thread-safe for writing; kernels only read it, from any number of threads.
 */
public final class QuantizedActivations {
    /** Q8_K block length. */
    public static final int QK_K = 256;

    private final ActivationFormat format;
    private final int cols;
    private final int capacity;
    private final byte[] quants;
    private final float[] scales;
    private final int[] sums;
    private final short[] bsums;
    private int rows;
    private long version;

    private QuantizedActivations(ActivationFormat format, int cols, int capacity) {
        this.format = format;
        this.cols = cols;
        this.capacity = capacity;
        this.quants = new byte[Math.multiplyExact(cols, capacity)];
        if (format == ActivationFormat.Q8_K) {
            int blocks = cols / QK_K * capacity;
            this.scales = new float[blocks];
            this.sums = new int[blocks];
            this.bsums = new short[cols / 16 * capacity];
        } else {
            this.scales = new float[capacity];
            this.sums = new int[capacity];
            this.bsums = new short[0];
        }
    }

    /**
     * Allocates room for up to {@code capacity} rows of {@code cols} values.
     *
     * @param cols     K; a positive multiple of 256 for Q8_K, of 128 for I8_S
     * @param capacity the largest N a {@link #quantize} call will use, at least 1
     */
    public static QuantizedActivations allocate(ActivationFormat format, int cols, int capacity) {
        Objects.requireNonNull(format, "format");
        int align = format == ActivationFormat.Q8_K ? QK_K : 128;
        if (cols <= 0 || cols % align != 0) {
            throw new IllegalArgumentException(format + ": activation length K must be a positive multiple of "
                    + align + ", got " + cols);
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException(format + ": capacity (rows) must be at least 1, got " + capacity);
        }
        return new QuantizedActivations(format, cols, capacity);
    }

    /** Allocates activations matching a weight format's activation format. */
    public static QuantizedActivations allocate(TernaryFormat weights, int cols, int capacity) {
        return allocate(weights.activationFormat(), cols, capacity);
    }

    /**
     * Quantizes {@code n} rows of {@code cols} floats, row-major from {@code x[offset]}, into rows
     * {@code 0..n-1}, exactly as ggml's {@code quantize_row_q8_K_ref} or bitnet.cpp's
     * {@code quantize_row_i8_s} do.
     *
     * @throws IllegalArgumentException if {@code n} exceeds the capacity or {@code x} is too short
     */
    public QuantizedActivations quantize(float[] x, int offset, int n) {
        Objects.requireNonNull(x, "x");
        checkRowCount(n);
        long need = (long) offset + (long) n * cols;
        if (offset < 0 || need > x.length) {
            throw new IllegalArgumentException(format + ": need " + n + "x" + cols + " floats from offset " + offset
                    + ", array has " + x.length);
        }
        for (int r = 0; r < n; r++) {
            if (format == ActivationFormat.Q8_K) {
                ActivationQuantizers.quantizeQ8K(x, offset + r * cols, cols, quants, r * cols,
                        scales, r * (cols / QK_K), sums, bsums, r * (cols / 16));
            } else {
                ActivationQuantizers.quantizeI8S(x, offset + r * cols, cols, quants, r * cols, scales, sums, r);
            }
        }
        this.rows = n;
        this.version++;
        return this;
    }

    /** Quantizes a single row (N = 1). */
    public QuantizedActivations quantize(float[] x) {
        return quantize(x, 0, 1);
    }

    /**
     * Sets row {@code row} from raw int8 values and a scale, for tests and conformance data: the sums are
     * computed from the values. For Q8_K {@code scale} is used as {@code d} of every block; for I8_S it is
     * {@code s}. Rows set this way become part of the batch: {@link #rows()} grows to include them.
     */
    public QuantizedActivations setRow(int row, byte[] values, float scale) {
        Objects.requireNonNull(values, "values");
        if (row < 0 || row >= capacity) {
            throw new IllegalArgumentException("row " + row + " outside capacity " + capacity);
        }
        if (values.length != cols) {
            throw new IllegalArgumentException(format + ": expected " + cols + " values for a row, got " + values.length);
        }
        System.arraycopy(values, 0, quants, row * cols, cols);
        if (format == ActivationFormat.Q8_K) {
            int blocks = cols / QK_K;
            Arrays.fill(scales, row * blocks, (row + 1) * blocks, scale);
            ActivationQuantizers.fillQ8KSums(quants, row * cols, cols, sums, row * blocks, bsums, row * (cols / 16));
        } else {
            scales[row] = scale;
            int s = 0;
            for (int i = 0; i < cols; i++) {
                s += values[i];
            }
            sums[row] = s;
        }
        rows = Math.max(rows, row + 1);
        version++;
        return this;
    }

    /**
     * Copies rows {@code [from, from + n)} of {@code src} (quants, scales and sums) into rows {@code 0..n-1} of this
     * batch, which then holds {@code n} rows: a kernel can hand part of a batch to another kernel.
     *
     * @throws IllegalArgumentException if the formats or K differ, the rows are not all in {@code src}, or
     *                                  {@code n} exceeds this batch's capacity
     */
    public QuantizedActivations copyRows(QuantizedActivations src, int from, int n) {
        Objects.requireNonNull(src, "src");
        if (src.format != format || src.cols != cols) {
            throw new IllegalArgumentException("cannot copy " + src.format + " rows of K=" + src.cols + " into " + format
                    + " rows of K=" + cols);
        }
        if (from < 0 || n < 1 || (long) from + n > src.rows) {
            throw new IllegalArgumentException("rows [" + from + ", " + ((long) from + n) + ") must lie within the "
                    + src.rows + " rows of the source");
        }
        checkRowCount(n);
        System.arraycopy(src.quants, from * cols, quants, 0, n * cols);
        if (format == ActivationFormat.Q8_K) {
            int blocks = cols / QK_K;
            System.arraycopy(src.scales, from * blocks, scales, 0, n * blocks);
            System.arraycopy(src.sums, from * blocks, sums, 0, n * blocks);
            System.arraycopy(src.bsums, from * (cols / 16), bsums, 0, n * (cols / 16));
        } else {
            System.arraycopy(src.scales, from, scales, 0, n);
            System.arraycopy(src.sums, from, sums, 0, n);
        }
        this.rows = n;
        this.version++;
        return this;
    }

    /** Sets the number of valid rows without changing data (for reuse with fewer rows). */
    public QuantizedActivations rows(int n) {
        checkRowCount(n);
        this.rows = n;
        this.version++;
        return this;
    }

    private void checkRowCount(int n) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException(format + ": row count must be in [1, " + capacity + "], got " + n);
        }
    }

    public ActivationFormat format() {
        return format;
    }

    /** K: values per row. */
    public int cols() {
        return cols;
    }

    /** N: rows currently held. */
    public int rows() {
        return rows;
    }

    /** The most rows this batch can hold. */
    public int capacity() {
        return capacity;
    }

    /** The int8 quants, {@code capacity*K}; rows {@code 0..rows()-1} are valid. Do not modify. */
    public byte[] quants() {
        return quants;
    }

    /** Q8_K: {@code d} per 256-block; I8_S: {@code s} per row. Do not modify. */
    public float[] scales() {
        return scales;
    }

    /** Q8_K: int sum of each 256-block's quants; I8_S: int sum of each row. Do not modify. */
    public int[] sums() {
        return sums;
    }

    /** Q8_K only: the sums of each 16 quants (ggml's {@code bsums}); empty for I8_S. Do not modify. */
    public short[] bsums() {
        return bsums;
    }

    /** Increases on every change; kernels may key caches of derived layouts on it. */
    public long version() {
        return version;
    }
}
