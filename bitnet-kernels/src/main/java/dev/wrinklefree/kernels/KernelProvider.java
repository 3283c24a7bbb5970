package dev.wrinklefree.kernels;

/**
 * One kernel backend that may or may not be usable on this machine (the Vector API module may be
 * absent, the native library may not have been built or may not load).
 */
public interface KernelProvider {
    /** The backend name users select it by: {@code scalar}, {@code vector} or {@code native}. */
    String name();

    /** Empty when usable; otherwise one line saying why not (library not built, CPU lacks AVX2, ...). */
    java.util.Optional<String> unavailableReason();

    /**
     * Creates the backend's preferred kernel.
     *
     * @throws IllegalStateException with {@link #unavailableReason()} when unusable
     */
    TernaryKernel create();

    /**
     * Creates a named variant (a strategy or ISA path such as {@code swar} or {@code avx2}); the empty
     * string means the preferred kernel.
     *
     * @throws IllegalArgumentException naming the known variants when {@code variant} is unknown
     */
    default TernaryKernel create(String variant) {
        if (variant.isEmpty()) {
            return create();
        }
        throw new IllegalArgumentException("backend '" + name() + "' has no variant '" + variant + "'");
    }

    /** Variant names accepted by {@link #create(String)}, preferred first. */
    default java.util.List<String> variants() {
        return java.util.List.of();
    }
}
