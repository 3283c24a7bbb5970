package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.KernelProvider;
import dev.wrinklefree.kernels.TernaryKernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code native} backend: C kernels through FFM. Variants: {@code native:lut}, the lookup-table kernels on a
 * repacked layout (AVX-512 BW; {@link NativeLutKernel}), and one in-place kernel per ISA path, reading the standard
 * packed bytes as they are ({@code native:avx512vnni}, {@code native:avx512vnni256}, {@code native:avx512bw},
 * {@code native:avxvnni}, {@code native:avx2}, {@code native:scalar}; see {@link Isa}).
 *
 * <p>Usable when the library loads (see {@link NativeLibrary}) and the CPU runs one of its SIMD paths; the
 * portable C path alone is no faster than the Vector API, so it is chosen only when asked for.
 * {@link #create()} takes {@code lut} where the CPU runs it (it is the fastest for every format and batch size
 * measured; it costs the repacked copy of the weights, see {@link dev.wrinklefree.kernels.PreparedWeights#extraBytes()}),
 * else the best ISA path, or the variant named by {@value #ISA_PROPERTY}.
 *
 * <p>System property {@value #ISA_PROPERTY} ({@code lut|avx512vnni|avx512vnni256|avx512bw|avxvnni|avx2|scalar}): forces
 * the variant of {@code native}; naming one this CPU lacks makes the backend unusable, with that reason.
 */
public final class NativeKernelProvider implements KernelProvider {
    /** System property that forces the variant (ISA path or {@value #LUT}) of the {@code native} backend. */
    public static final String ISA_PROPERTY = "wrinklefree.native.isa";
    /** The variant name of the lookup-table kernels. */
    public static final String LUT = "lut";

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
                return whyNot(forced).map(why -> why + " (forced by -D" + ISA_PROPERTY + "=" + forced + ")");
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage() + " in -D" + ISA_PROPERTY);
            }
        }
        if (!NativeLibrary.lutUsable() && bestIsa() == Isa.SCALAR) {
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
        return byVariant(forced != null && !forced.isBlank() ? forced.trim() : variants().getFirst());
    }

    /**
     * The kernel of one variant: {@value #LUT} or an ISA path's name.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     * @throws IllegalStateException when the library is not loaded, or the variant is not compiled in or not
     *                               supported by this CPU (the message says which are usable)
     */
    @Override
    public TernaryKernel create(String variant) {
        if (variant.isEmpty()) {
            return create();
        }
        if (!variant.trim().equalsIgnoreCase(LUT)) {
            try {
                Isa.parse(variant);  // an unknown name is an IllegalArgumentException, library or not
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown native variant '" + variant + "' (known: " + LUT + ", "
                        + Isa.names(List.of(Isa.values())) + ")");
            }
        }
        Optional<String> lib = NativeLibrary.unavailableReason();
        if (lib.isPresent()) {
            throw new IllegalStateException("native kernels unusable: " + lib.get());
        }
        return byVariant(variant.trim());
    }

    private static TernaryKernel byVariant(String variant) {
        whyNot(variant).ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        return variant.equalsIgnoreCase(LUT) ? new NativeLutKernel(new NativeKernel(bestIsa())) : new NativeKernel(Isa.parse(variant));
    }

    /** The variants this CPU runs, preferred first: {@value #LUT}, then the ISA paths (empty when the library is not loaded). */
    @Override
    public List<String> variants() {
        if (!NativeLibrary.isLoaded()) {
            return List.of();
        }
        List<String> v = new ArrayList<>();
        if (NativeLibrary.lutUsable()) {
            v.add(LUT);
        }
        NativeLibrary.usableIsas().forEach(i -> v.add(i.variantName()));
        return List.copyOf(v);
    }

    private static Isa bestIsa() {
        return NativeLibrary.usableIsas().getFirst();
    }

    private static Optional<String> whyNot(String variant) {
        if (variant.trim().equalsIgnoreCase(LUT)) {
            return NativeLibrary.lutUsable() ? Optional.empty() : Optional.of("native variant 'lut' needs AVX-512 BW, which "
                    + "this library or CPU lacks (cpuid: " + NativeLibrary.cpuFeatures() + "); usable: "
                    + Isa.names(NativeLibrary.usableIsas()));
        }
        return whyNot(Isa.parse(variant));
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
