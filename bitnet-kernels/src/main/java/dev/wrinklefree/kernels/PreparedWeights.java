package dev.wrinklefree.kernels;

/**
 * Weights made ready for one kernel: the standard matrix itself, or a kernel's own repacked layout
 * built from it once at load time. Only the kernel that prepared it may use a repacked layout.
 */
public interface PreparedWeights {
    /** The standard packed matrix these weights were prepared from. */
    TernaryMatrix matrix();

    /** Bytes this preparation holds beyond the standard matrix (0 when nothing was repacked). */
    default long extraBytes() {
        return 0;
    }

    /**
     * Weight bytes one matmul call with {@code tokens} activation rows reads: the repacked layout that call
     * uses, or the standard matrix when nothing was repacked. A layout built on first use (the default
     * {@code vector} kernel's batch layout) is built by this call, so that a benchmark can do it before timing.
     *
     * @param tokens activation rows of the call, at least 1
     */
    default long bytesPerCall(int tokens) {
        long extra = extraBytes();
        return extra > 0 ? extra : matrix().byteSize();
    }
}
