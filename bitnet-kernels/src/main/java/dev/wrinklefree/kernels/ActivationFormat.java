package dev.wrinklefree.kernels;

/**
 * The int8 activation formats ternary weights are dotted with.
 *
 * <ul>
 *   <li>{@link #Q8_K}: ggml; per block of 256 values an f32 scale {@code d}, 256 int8 quants and 16 int16
 *       sums of 16 quants (292 bytes per block). Used with TQ1_0 and TQ2_0.
 *   <li>{@link #I8_S}: bitnet.cpp; per activation row (token) one f32 scale {@code s = 127 / max|x|} and the
 *       int32 sum of the quants. Used with I2_S.
 * </ul>
 */
public enum ActivationFormat {
    Q8_K(256, 292),
    I8_S(0, 0);

    private final int blockValues;
    private final int blockBytes;

    ActivationFormat(int blockValues, int blockBytes) {
        this.blockValues = blockValues;
        this.blockBytes = blockBytes;
    }

    /** Values per scale block (256 for Q8_K); 0 for I8_S, whose scale covers a whole row. */
    public int blockValues() {
        return blockValues;
    }

    /** Bytes per block in ggml's struct layout (292 for Q8_K); 0 for I8_S. */
    public int blockBytes() {
        return blockBytes;
    }
}
