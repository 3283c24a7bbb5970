package dev.wrinklefree.kernels;

/**
 * The on-disk ternary weight formats, with every block size and byte count in one place.
 *
 * <p>A weight matrix has {@code M} rows (outputs) and {@code K} columns (inputs, the reduction axis),
 * stored row by row. Stored codes are {@code q = w + 1} in {0, 1, 2}.
 *
 * <ul>
 *   <li>{@link #TQ1_0}: ggml type 34, 256 weights in 54 bytes ({@code qs[48] qh[4] d:f16}), 1.6875 bits/weight.
 *   <li>{@link #TQ2_0}: ggml type 35, 256 weights in 66 bytes ({@code qs[64] d:f16}), 2.0625 bits/weight.
 *   <li>{@link #I2_S}: bitnet.cpp type 36, 128 weights in 32 bytes, one f32 scale per tensor in a 32-byte
 *       tail after the packed data, 2 bits/weight.
 * </ul>
 */
public enum TernaryFormat {
    TQ1_0(34, 256, 54, 0, ActivationFormat.Q8_K),
    TQ2_0(35, 256, 66, 0, ActivationFormat.Q8_K),
    I2_S(36, 128, 32, 32, ActivationFormat.I8_S);

    private final int ggmlType;
    private final int blockWeights;
    private final int blockBytes;
    private final int tensorTailBytes;
    private final ActivationFormat activationFormat;

    TernaryFormat(int ggmlType, int blockWeights, int blockBytes, int tensorTailBytes, ActivationFormat act) {
        this.ggmlType = ggmlType;
        this.blockWeights = blockWeights;
        this.blockBytes = blockBytes;
        this.tensorTailBytes = tensorTailBytes;
        this.activationFormat = act;
    }

    /** The GGML type id as written in GGUF tensor infos (34, 35 or 36). */
    public int ggmlType() {
        return ggmlType;
    }

    /** Weights per block; {@code K} must be a multiple of it (256 for TQ, 128 for I2_S). */
    public int blockWeights() {
        return blockWeights;
    }

    /** Bytes per block of {@link #blockWeights()} weights. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes after the packed blocks of a whole tensor (32 for I2_S's scale tail, else 0). */
    public int tensorTailBytes() {
        return tensorTailBytes;
    }

    /** The int8 activation format this weight format is dotted with. */
    public ActivationFormat activationFormat() {
        return activationFormat;
    }

    /** Storage in bits per weight, tails not counted. */
    public double bitsPerWeight() {
        return blockBytes * 8.0 / blockWeights;
    }

    /**
     * Checks that a matrix shape fits this format.
     *
     * @throws IllegalArgumentException naming the shape and the block size when it does not
     */
    public void checkShape(long rows, long cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name() + ": matrix shape must be positive, got " + rows + "x" + cols);
        }
        if (cols % blockWeights != 0) {
            throw new IllegalArgumentException(name() + ": K (columns) must be a multiple of " + blockWeights
                    + ", got " + rows + "x" + cols + " (K=" + cols + ")");
        }
    }

    /** Packed bytes of one row of {@code cols} weights (no tail). */
    public long rowBytes(long cols) {
        checkShape(1, cols);
        return cols / blockWeights * blockBytes;
    }

    /** Bytes of a whole {@code rows x cols} tensor as stored in GGUF, including the I2_S tail. */
    public long tensorBytes(long rows, long cols) {
        checkShape(rows, cols);
        return rows * rowBytes(cols) + tensorTailBytes;
    }

    /** The format with this GGML type id. */
    public static TernaryFormat ofGgmlType(int type) {
        for (TernaryFormat f : values()) {
            if (f.ggmlType == type) {
                return f;
            }
        }
        throw new IllegalArgumentException("not a ternary GGML type id: " + type + " (expected 34 TQ1_0, 35 TQ2_0 or 36 I2_S)");
    }

    /** Parses a format name case-insensitively ("tq2_0", "I2_S", "i2s"). */
    public static TernaryFormat parse(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace("-", "_");
        if (n.equals("I2S")) {
            return I2_S;
        }
        for (TernaryFormat f : values()) {
            if (f.name().equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown ternary format '" + name + "' (expected TQ1_0, TQ2_0 or I2_S)");
    }
}
