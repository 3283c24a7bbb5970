package dev.wrinklefree.kernels;

/**
 * Computes {@code Y = W X} for ternary weights {@code W} (M x K) and {@code N} int8 activation rows
 * {@code X} (N x K): N = 1 is the decode GEMV, N &gt; 1 the prefill GEMM.
 *
 * <p>Output layout is token-major like ggml's dst: {@code y[yOffset + n*M + m]} for token {@code n}
 * and output row {@code m}. The result of every implementation is defined by the scalar oracle
 * ({@code dev.wrinklefree.kernels.scalar.ScalarKernel}): integer dot products are exact; only the
 * float epilogue (block scales, summation of blocks) may round differently.
 *
 * <ul>
 *   <li>TQ1_0 / TQ2_0 with Q8_K: {@code y = sum over 256-blocks of (float) sum_k (code-1)*q * (d_act * d_w)}.
 *   <li>I2_S with I8_S: {@code y = ((float) sum_k code*q - (float) rowSum) / s * tensorScale}.
 * </ul>
 *
 * <p>Implementations are stateless or thread-safe: several threads call {@link #matmul} on disjoint
 * row ranges of the same output. They allocate nothing per call.
 */
public interface TernaryKernel {

    /** The backend name: {@code scalar}, {@code vector} or {@code native}, with an optional strategy suffix. */
    String name();

    /** Whether this kernel computes the given format. */
    boolean supports(TernaryFormat format);

    /**
     * Makes weights ready for this kernel, once, at load time (a kernel may repack into a layout of its
     * own; the default uses the standard bytes as they are).
     *
     * @throws IllegalArgumentException if the format is not supported
     */
    default PreparedWeights prepare(TernaryMatrix w) {
        requireSupported(w.format());
        return w;
    }

    /**
     * Row ranges handed to {@link #matmul(PreparedWeights, QuantizedActivations, float[], int, int, int)}
     * by a multi-threaded driver start at multiples of this (1 unless a repacked layout interleaves rows).
     */
    default int rowAlignment() {
        return 1;
    }

    /**
     * Computes output rows {@code [rowStart, rowEnd)} for every token of {@code x}.
     *
     * @param w        weights prepared by this kernel
     * @param x        N = {@code x.rows()} activation rows of length K, in the weight format's activation format
     * @param y        output, at least {@code yOffset + N*M} floats
     * @param yOffset  index of {@code y[token 0][row 0]}
     * @param rowStart first output row, {@code 0 <= rowStart <= rowEnd <= M}, a multiple of {@link #rowAlignment()}
     * @param rowEnd   one past the last output row
     * @throws IllegalArgumentException on mismatched shapes, formats or buffers
     */
    void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd);

    /** Computes every output row: {@code y[n*M + m]}. */
    default void matmul(PreparedWeights w, QuantizedActivations x, float[] y) {
        matmul(w, x, y, 0, 0, w.matrix().rows());
    }

    /**
     * {@code w} as the type of this kernel's own {@link #prepare} result (for kernels that repack).
     *
     * @throws IllegalArgumentException if {@code w} was prepared by another kernel
     */
    default <P extends PreparedWeights> P requirePrepared(PreparedWeights w, Class<P> type) {
        if (type.isInstance(w)) {
            return type.cast(w);
        }
        throw new IllegalArgumentException(name() + " needs weights from its own prepare(), got "
                + w.getClass().getSimpleName() + " for " + w.matrix());
    }

    /** Throws if {@link #supports} is false. */
    default void requireSupported(TernaryFormat format) {
        if (!supports(format)) {
            throw new IllegalArgumentException("kernel '" + name() + "' does not support " + format);
        }
    }

    /**
     * Checks the arguments of a matmul call; kernels call it once per call (it is cheap).
     *
     * @throws IllegalArgumentException naming what was expected and what came
     */
    static void checkArguments(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset,
                               int rowStart, int rowEnd) {
        TernaryMatrix m = w.matrix();
        if (x.format() != m.format().activationFormat()) {
            throw new IllegalArgumentException(m + " needs " + m.format().activationFormat()
                    + " activations, got " + x.format());
        }
        if (x.cols() != m.cols()) {
            throw new IllegalArgumentException(m + " needs activations of length K=" + m.cols() + ", got " + x.cols());
        }
        if (rowStart < 0 || rowEnd > m.rows() || rowStart > rowEnd) {
            throw new IllegalArgumentException(m + ": row range [" + rowStart + ", " + rowEnd
                    + ") must lie within [0, " + m.rows() + "]");
        }
        long need = (long) yOffset + (long) x.rows() * m.rows();
        if (yOffset < 0 || y.length < need) {
            throw new IllegalArgumentException(m + " with N=" + x.rows() + " needs an output of " + need
                    + " floats from offset " + yOffset + ", got " + y.length);
        }
    }
}
