package dev.wrinklefree.kernels;

import dev.wrinklefree.kernels.vector.VectorKernelProvider;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The activation quantizers of {@link ActivationQuantizers} in the Vector API, bit for bit the same
 * results as the scalar reference for every input (the scalar code stays the oracle the tests compare
 * against). Loaded only when {@link ActivationQuantizers} found the Vector API usable.
 *
 * <p>Rounding: {@code nearest_int} (round half to even) is {@code (v + 1.5*2^23) - 1.5*2^23} in float,
 * ggml's own trick, exact for {@code |v| < 2^22}. Every quantized value here is at most {@code 127 * (1 + 2^-23)^2}
 * in magnitude, except when the scale is not finite: those blocks (rows for I8_S), and blocks with a NaN
 * or an infinity, go through the scalar code, so odd inputs give the reference's odd answers too.
 *
 * <p>The width is the kernels' ({@link VectorKernelProvider#vectorBits()}), so forcing 128, 256 or 512
 * bits tests this code at that width. Hot loops call no method that takes or returns a vector (C2 boxes
 * vectors passed to a call it did not inline).
 */
final class VectorQuantizers {
    private static final VectorSpecies<Float> F =
            FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(new VectorKernelProvider().vectorBits()));
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final int LANES = F.length();
    /** Bytes of one int vector narrowed: 4, 8 or 16; the smallest byte vector holds 8. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * 8)));
    private static final boolean MASKED_STORE = LANES < 8;
    private static final VectorMask<Byte> STORE_MASK = B.indexInRange(0, LANES);
    private static final float MAGIC = 12582912f; // 1.5 * 2^23
    private static final int ABS = 0x7FFF_FFFF;
    /** Bits of +Infinity: absolute-value bits above it are NaN, equal to it infinity. */
    private static final int INF_BITS = 0x7F80_0000;
    private static final int QK = QuantizedActivations.QK_K;
    /** Q8_K keeps a sum per 16 quants. */
    private static final int GROUP = 16;

    private VectorQuantizers() {
    }

    /** {@link ActivationQuantizers#quantizeQ8KScalar}, vectorized. */
    static void quantizeQ8K(float[] x, int xOff, int n, byte[] q, int qOff,
                            float[] d, int dOff, int[] blockSums, short[] bsums, int bsOff) {
        for (int b = 0; b < n / QK; b++) {
            int base = xOff + b * QK;
            int qb = qOff + b * QK;
            // The largest magnitude as bits: for non-NaN floats the order of |x| is the order of their bits.
            IntVector m = IntVector.zero(I);
            for (int j = 0; j < QK; j += LANES) {
                m = m.max(FloatVector.fromArray(F, x, base + j).reinterpretAsInts().and(ABS));
            }
            int amaxBits = m.reduceLanes(VectorOperators.MAX);
            if (amaxBits == 0) {
                d[dOff + b] = 0;
                Arrays.fill(q, qb, qb + QK, (byte) 0);
                Arrays.fill(bsums, bsOff + b * GROUP, bsOff + (b + 1) * GROUP, (short) 0);
                blockSums[dOff + b] = 0;
                continue;
            }
            float iscale = Float.NaN;
            if (amaxBits < INF_BITS) {
                // The reference keeps the sign of the first element of largest magnitude.
                int first = 0;
                for (int j = 0; j < QK; j += LANES) {
                    VectorMask<Integer> hit = FloatVector.fromArray(F, x, base + j).reinterpretAsInts().and(ABS).eq(amaxBits);
                    if (hit.anyTrue()) {
                        first = j + hit.firstTrue();
                        break;
                    }
                }
                iscale = -127.f / x[base + first];
            }
            if (!Float.isFinite(iscale)) { // NaN or infinity in the block, or a subnormal maximum
                ActivationQuantizers.quantizeQ8KScalar(x, base, QK, q, qb, d, dOff + b, blockSums, bsums, bsOff + b * GROUP);
                continue;
            }
            int total = 0;
            for (int g = 0; g < GROUP; g++) {
                IntVector s = IntVector.zero(I);
                for (int j = g * GROUP; j < (g + 1) * GROUP; j += LANES) {
                    FloatVector v = FloatVector.fromArray(F, x, base + j).mul(iscale).add(MAGIC).sub(MAGIC);
                    IntVector qi = ((IntVector) v.convert(VectorOperators.F2I, 0)).min(127);
                    ByteVector qv = (ByteVector) qi.convertShape(VectorOperators.I2B, B, 0);
                    if (MASKED_STORE) {
                        qv.intoArray(q, qb + j, STORE_MASK);
                    } else {
                        qv.intoArray(q, qb + j);
                    }
                    s = s.add(qi);
                }
                int sum = s.reduceLanes(VectorOperators.ADD);
                bsums[bsOff + b * GROUP + g] = (short) sum;
                total += sum;
            }
            d[dOff + b] = 1 / iscale;
            blockSums[dOff + b] = total;
        }
    }

    /** {@link ActivationQuantizers#quantizeI8SScalar}, vectorized; {@code n} a multiple of 16. */
    static void quantizeI8S(float[] x, int xOff, int n, byte[] q, int qOff, float[] s, int[] sums, int row) {
        IntVector m = IntVector.zero(I);
        for (int j = 0; j < n; j += LANES) {
            m = m.max(FloatVector.fromArray(F, x, xOff + j).reinterpretAsInts().and(ABS));
        }
        int amaxBits = m.reduceLanes(VectorOperators.MAX);
        if (amaxBits >= INF_BITS) { // NaN or infinity: x * scale may be NaN
            ActivationQuantizers.quantizeI8SScalar(x, xOff, n, q, qOff, s, sums, row);
            return;
        }
        // |x| is exact in float, so its maximum converted to double is the reference's double maximum.
        double absmax = Math.max(1e-5, (double) Float.intBitsToFloat(amaxBits));
        float scale = (float) (127.0 / absmax);
        IntVector acc = IntVector.zero(I);
        for (int j = 0; j < n; j += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + j).mul(scale).add(MAGIC).sub(MAGIC);
            IntVector qi = ((IntVector) v.convert(VectorOperators.F2I, 0)).max(-128).min(127);
            ByteVector qv = (ByteVector) qi.convertShape(VectorOperators.I2B, B, 0);
            if (MASKED_STORE) {
                qv.intoArray(q, qOff + j, STORE_MASK);
            } else {
                qv.intoArray(q, qOff + j);
            }
            acc = acc.add(qi);
        }
        s[row] = scale;
        sums[row] = acc.reduceLanes(VectorOperators.ADD);
    }
}
