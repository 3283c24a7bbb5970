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
}
