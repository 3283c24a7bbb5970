package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.KernelProvider;
import dev.wrinklefree.kernels.TernaryKernel;

import java.util.List;
import java.util.Optional;

/**
 * The Vector API backend ({@code vector}). Its variants are strategies, selectable as
 * {@code -Dwrinklefree.kernel=vector:<strategy>} or {@code Kernels.byName("vector:<strategy>")}:
 *
 * <ul>
 *   <li>{@code lut}: lookup tables of activation-group sums, weights repacked as base-3 indices
 *       interleaved across rows ({@link LutKernel});
 *   <li>{@code swar}: the standard packed bytes read as 16-bit lanes, even and odd bytes split by
 *       shifts ({@link StreamKernel});
 *   <li>{@code mul16}: the standard packed bytes widened to 16-bit lanes by lane conversion, then
 *       multiplied ({@link StreamKernel});
 *   <li>{@code planes}: weights repacked into +1 / -1 bit planes that become vector masks for masked
 *       adds ({@link PlanesKernel});
 *   <li>{@code tlut}: for batches, lookup tables with one token per lane, weights repacked as table
 *       offsets ({@link TokenLutKernel}).
 * </ul>
 *
 * The default ({@code vector} alone) is {@link #create()}: the fastest strategy per format and batch size
 * as measured by {@code TernaryMatmulBenchmark} on AVX-512 (see {@link DispatchKernel}).
 *
 * <p>The vector width is fixed per JVM (system property {@code wrinklefree.vector.bits}, see
 * {@link #vectorBits()}); forcing a width wider than the CPU's makes the backend unavailable.
 *
 * <p>This class refers to no Vector API type in its signatures or initializer, so it loads, and reports
 * itself unavailable, on a JVM started without {@code --add-modules=jdk.incubator.vector}.
 */
public final class VectorKernelProvider implements KernelProvider {
    private static final String MODULE = "jdk.incubator.vector";

    /**
     * System property forcing the vector width in bits ({@code 128}, {@code 256} or {@code 512}) for every
     * vector kernel of the JVM; read once. Default: the CPU's preferred width, at most 512.
     */
    public static final String BITS_PROPERTY = "wrinklefree.vector.bits";

    /** Strategy names, default first. */
    private static final List<String> VARIANTS = List.of("lut", "swar", "mul16", "planes", "tlut");

    /**
     * Parses a forced vector width. Here rather than in {@link VectorWidth} so that checking the property
     * initializes no Vector API class.
     *
     * @throws IllegalArgumentException unless it is 128, 256 or 512
     */
    static int parseBits(String forced) {
        int bits;
        try {
            bits = Integer.parseInt(forced.trim());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-D" + BITS_PROPERTY + " must be 128, 256 or 512, got '" + forced + "'");
        }
        return bits;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public Optional<String> unavailableReason() {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return Optional.of("module " + MODULE + " is not in this JVM (start java with --add-modules=" + MODULE + ")");
        }
        String forced = System.getProperty(BITS_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            try {
                parseBits(forced);
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage());
            }
        }
        int hardware = VectorWidth.preferredBits();
        if (VectorWidth.BITS > hardware) {
            return Optional.of("-D" + BITS_PROPERTY + "=" + VectorWidth.BITS + " is wider than the " + hardware
                    + "-bit vectors this CPU runs natively (the JDK would emulate them, orders of magnitude slower)");
        }
        return Optional.empty();
    }

    @Override
    public TernaryKernel create() {
        requireAvailable();
        return new DispatchKernel();
    }

    @Override
    public TernaryKernel create(String variant) {
        requireAvailable();
        return switch (variant) {
            case "" -> create();
            case "lut" -> new LutKernel();
            case "swar" -> new StreamKernel(StreamKernel.Unpack.SWAR);
            case "mul16" -> new StreamKernel(StreamKernel.Unpack.CONVERT);
            case "planes" -> new PlanesKernel();
            case "tlut" -> new TokenLutKernel();
            default -> throw new IllegalArgumentException("backend 'vector' has no variant '" + variant
                    + "' (known: " + String.join(", ", VARIANTS) + ")");
        };
    }

    @Override
    public List<String> variants() {
        return VARIANTS;
    }

    /**
     * The vector width the kernels of this JVM use, in bits (128, 256 or 512): the hardware's preferred
     * width unless {@code -Dwrinklefree.vector.bits} forces one.
     *
     * @throws IllegalStateException when the backend is unavailable
     */
    public int vectorBits() {
        requireAvailable();
        return VectorWidth.BITS;
    }

    private void requireAvailable() {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException("kernel backend 'vector' is not usable: " + why.get());
        }
    }
}
