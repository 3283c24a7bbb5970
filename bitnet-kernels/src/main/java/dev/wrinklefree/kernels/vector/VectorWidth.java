package dev.wrinklefree.kernels.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector width every Vector API kernel of this JVM uses, fixed at class initialization.
 *
 * <p>The species are {@code static final} on purpose: C2 only turns Vector API calls into SIMD
 * instructions when the species is a compile-time constant, so the width cannot be a per-kernel field.
 * Tests cover every width by running the kernel contract test in one JVM per width.
 *
 * <p>System property {@value #PROPERTY} ({@code 128}, {@code 256} or {@code 512}) forces the width;
 * by default it is the platform's preferred width, at most 512 bits. Forcing a width wider than the
 * hardware's still computes correctly but slowly (the JDK falls back to Java code).
 */
final class VectorWidth {
    /** System property forcing the vector width in bits: {@code 128}, {@code 256} or {@code 512}. */
    static final String PROPERTY = "wrinklefree.vector.bits";

    /** Vector width in bits: 128, 256 or 512. */
    static final int BITS = resolveBits(System.getProperty(PROPERTY));

    static final VectorShape SHAPE = VectorShape.forBitSize(BITS);
    static final VectorSpecies<Byte> BYTE = ByteVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Short> SHORT = ShortVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);

    private VectorWidth() {
    }

    static int resolveBits(String forced) {
        int preferred = Math.min(512, VectorShape.preferredShape().vectorBitSize());
        if (forced == null || forced.isBlank()) {
            return Math.max(128, preferred);
        }
        int bits;
        try {
            bits = Integer.parseInt(forced.trim());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be 128, 256 or 512, got '" + forced + "'");
        }
        return bits;
    }

    /** The widest width the hardware runs natively, in bits (as the JDK reports it). */
    static int preferredBits() {
        return VectorShape.preferredShape().vectorBitSize();
    }
}
