package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.KernelProvider;
import dev.wrinklefree.kernels.TernaryKernel;

import java.util.List;
import java.util.Optional;

/**
 * The {@code native} backend: C kernels through FFM, one variant per ISA path ({@code native:avx512vnni},
 * {@code native:avx512vnni256}, {@code native:avx512bw}, {@code native:avxvnni}, {@code native:avx2},
 * {@code native:scalar}; see {@link Isa}).
 *
 * <p>Usable when the library loads (see {@link NativeLibrary}) and the CPU runs one of its SIMD paths; the
 * portable C path alone is no faster than the Vector API, so it is chosen only when asked for.
 * {@link #create()} takes the best path the CPU runs, or the one named by {@value #ISA_PROPERTY}.
 *
 * <p>System property {@value #ISA_PROPERTY} ({@code avx512vnni|avx512vnni256|avx512bw|avxvnni|avx2|scalar}): forces the path
 * of {@code native}; naming a path this CPU lacks makes the backend unusable, with that reason.
 */
public final class NativeKernelProvider implements KernelProvider {
    /** System property that forces the ISA path of the {@code native} backend. */
    public static final String ISA_PROPERTY = "wrinklefree.native.isa";

    @Override
    public String name() {
        return "native";
    }

    @Override
    public Optional<String> unavailableReason() {
        Optional<String> lib = NativeLibrary.unavailableReason();
        if (lib.isPresent()) {
            return lib;
        }
        String forced = System.getProperty(ISA_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            try {
                return whyNot(Isa.parse(forced)).map(why -> why + " (forced by -D" + ISA_PROPERTY + "=" + forced + ")");
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage() + " in -D" + ISA_PROPERTY);
            }
        }
        if (best() == Isa.SCALAR) {
            return Optional.of("this CPU runs none of the SIMD paths (cpuid: " + NativeLibrary.cpuFeatures()
                    + "); the portable C path is not faster than the Vector API (force it with -D"
                    + ISA_PROPERTY + "=scalar)");
        }
        return Optional.empty();
    }

    @Override
    public TernaryKernel create() {
        unavailableReason().ifPresent(why -> {
            throw new IllegalStateException("native kernels unusable: " + why);
        });
        String forced = System.getProperty(ISA_PROPERTY);
        return new NativeKernel(forced != null && !forced.isBlank() ? Isa.parse(forced) : best());
    }

    /**
     * The kernel of one ISA path, by its variant name.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     * @throws IllegalStateException when the library is not loaded, or the path is not compiled in or not supported
     *                               by this CPU (the message says which paths are usable)
     */
    @Override
    public TernaryKernel create(String variant) {
        if (variant.isEmpty()) {
            return create();
        }
        Isa isa = Isa.parse(variant);
        Optional<String> lib = NativeLibrary.unavailableReason();
        if (lib.isPresent()) {
            throw new IllegalStateException("native kernels unusable: " + lib.get());
        }
        whyNot(isa).ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        return new NativeKernel(isa);
    }

    /** The ISA paths this CPU runs, preferred first (empty when the library is not loaded). */
    @Override
    public List<String> variants() {
        return NativeLibrary.isLoaded() ? NativeLibrary.usableIsas().stream().map(Isa::variantName).toList() : List.of();
    }

    private static Isa best() {
        return NativeLibrary.usableIsas().getFirst();
    }

    private static Optional<String> whyNot(Isa isa) {
        if (!NativeLibrary.compiledIsas().contains(isa)) {
            return Optional.of("native ISA path '" + isa.variantName() + "' is not compiled into " + NativeLibrary.path()
                    + " (the compiler lacked its flags); compiled: " + Isa.names(NativeLibrary.compiledIsas()));
        }
        if (!NativeLibrary.usableIsas().contains(isa)) {
            return Optional.of("native ISA path '" + isa.variantName() + "' is not supported by this CPU/OS (cpuid: "
                    + NativeLibrary.cpuFeatures() + "); usable: " + Isa.names(NativeLibrary.usableIsas()));
        }
        return Optional.empty();
    }
}
