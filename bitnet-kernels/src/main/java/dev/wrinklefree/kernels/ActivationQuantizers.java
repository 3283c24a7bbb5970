package dev.wrinklefree.kernels;

import dev.wrinklefree.kernels.vector.VectorKernelProvider;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The int8 activation quantizers, exactly as the reference implementations compute them, and ggml's
 * {@code block_q8_K} byte layout for conformance.
 */
public final class ActivationQuantizers {
    /**
     * System property: {@code false} makes {@link QuantizedActivations#quantize} use the scalar reference code
     * even where the Vector API is usable (for benchmarks comparing the two); read once. Default {@code true}.
     */
    public static final String VECTOR_PROPERTY = "wrinklefree.quantize.vector";

    /**
     * Whether the quantizers run vectorized: the Vector API backend is usable in this JVM (module present,
     * width supported; see {@link VectorKernelProvider}) and
     * {@value #VECTOR_PROPERTY} is not {@code false}. Both paths give identical bytes and scales.
     */
    static final boolean VECTORIZED = !"false".equalsIgnoreCase(System.getProperty(VECTOR_PROPERTY, "true").trim())
            && new VectorKernelProvider().unavailableReason().isEmpty();

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ActivationQuantizers() {
    }

    /**
     * ggml's {@code nearest_int}: round to nearest, ties to even (it adds 1.5 * 2^23 and reads the
     * mantissa), valid for |v| below 2^22. {@link Math#round(float)} would round ties up instead.
     */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    /**
     * ggml {@code quantize_row_q8_K_ref}: per 256-block, {@code m} = the element of largest magnitude
     * (sign kept, the first one on ties), {@code iscale = -127/m}, {@code q = min(127, nearest_int(iscale*x))},
     * {@code d = 1/iscale}; an all-zero block gets {@code d = 0}, {@code q = 0}.
     */
    static void quantizeQ8K(float[] x, int xOff, int n, byte[] q, int qOff,
                            float[] d, int dOff, int[] blockSums, short[] bsums, int bsOff) {
        if (VECTORIZED) {
            VectorQuantizers.quantizeQ8K(x, xOff, n, q, qOff, d, dOff, blockSums, bsums, bsOff);
        } else {
            quantizeQ8KScalar(x, xOff, n, q, qOff, d, dOff, blockSums, bsums, bsOff);
        }
    }

    /** {@link #quantizeQ8K} in plain Java: the reference the vectorized code is tested against. */
    static void quantizeQ8KScalar(float[] x, int xOff, int n, byte[] q, int qOff,
                                  float[] d, int dOff, int[] blockSums, short[] bsums, int bsOff) {
        for (int b = 0; b < n / QuantizedActivations.QK_K; b++) {
            int base = xOff + b * QuantizedActivations.QK_K;
            float max = 0;
            float amax = 0;
            for (int j = 0; j < QuantizedActivations.QK_K; j++) {
                float ax = Math.abs(x[base + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[base + j];
                }
            }
            int qb = qOff + b * QuantizedActivations.QK_K;
            if (amax == 0) {
                d[dOff + b] = 0;
                for (int j = 0; j < QuantizedActivations.QK_K; j++) {
                    q[qb + j] = 0;
                }
            } else {
                float iscale = -127.f / max;
                for (int j = 0; j < QuantizedActivations.QK_K; j++) {
                    q[qb + j] = (byte) Math.min(127, nearestInt(iscale * x[base + j]));
                }
                d[dOff + b] = 1 / iscale;
            }
        }
        fillQ8KSums(q, qOff, n, blockSums, dOff, bsums, bsOff);
    }

    /** Recomputes the 16-value and 256-value sums of Q8_K quants. */
    static void fillQ8KSums(byte[] q, int qOff, int n, int[] blockSums, int bOff, short[] bsums, int bsOff) {
        for (int b = 0; b < n / QuantizedActivations.QK_K; b++) {
            int total = 0;
            for (int g = 0; g < 16; g++) {
                int s = 0;
                int base = qOff + b * QuantizedActivations.QK_K + g * 16;
                for (int j = 0; j < 16; j++) {
                    s += q[base + j];
                }
                bsums[bsOff + b * 16 + g] = (short) s;
                total += s;
            }
            blockSums[bOff + b] = total;
        }
    }

    /**
     * bitnet.cpp {@code quantize_row_i8_s}: {@code absmax = max(1e-5, max|x|)} in double,
     * {@code s = (float)(127/absmax)}, {@code q = clamp(nearest_int(x*s), -128, 127)} with a float product,
     * and the int sum of the row.
     */
    static void quantizeI8S(float[] x, int xOff, int n, byte[] q, int qOff, float[] s, int[] sums, int row) {
        if (VECTORIZED) {
            VectorQuantizers.quantizeI8S(x, xOff, n, q, qOff, s, sums, row);
        } else {
            quantizeI8SScalar(x, xOff, n, q, qOff, s, sums, row);
        }
    }

    /** {@link #quantizeI8S} in plain Java: the reference the vectorized code is tested against. */
    static void quantizeI8SScalar(float[] x, int xOff, int n, byte[] q, int qOff, float[] s, int[] sums, int row) {
        double absmax = 0;
        for (int i = 0; i < n; i++) {
            absmax = Math.max(absmax, Math.abs((double) x[xOff + i]));
        }
        absmax = Math.max(1e-5, absmax);
        float scale = (float) (127.0 / absmax);
        int sum = 0;
        for (int i = 0; i < n; i++) {
            int v = nearestInt(x[xOff + i] * scale);
            v = Math.max(-128, Math.min(127, v));
            q[qOff + i] = (byte) v;
            sum += v;
        }
        s[row] = scale;
        sums[row] = sum;
    }

    /**
     * Writes row {@code row} of Q8_K activations in ggml's {@code block_q8_K} layout: per block
     * {@code float d}, {@code int8 qs[256]}, {@code int16 bsums[16]}, 292 bytes, little-endian.
     *
     * @return {@code K/256*292} bytes
     */
    public static byte[] toQ8KBytes(QuantizedActivations a, int row) {
        requireQ8K(a);
        int blocks = a.cols() / QuantizedActivations.QK_K;
        byte[] out = new byte[blocks * ActivationFormat.Q8_K.blockBytes()];
        MemorySegment seg = MemorySegment.ofArray(out);
        for (int b = 0; b < blocks; b++) {
            long o = (long) b * ActivationFormat.Q8_K.blockBytes();
            seg.set(F32, o, a.scales()[row * blocks + b]);
            MemorySegment.copy(a.quants(), row * a.cols() + b * QuantizedActivations.QK_K, seg,
                    ValueLayout.JAVA_BYTE, o + 4, QuantizedActivations.QK_K);
            for (int g = 0; g < 16; g++) {
                seg.set(I16, o + 4 + QuantizedActivations.QK_K + 2L * g, a.bsums()[(row * blocks + b) * 16 + g]);
            }
        }
        return out;
    }

    /**
     * Reads one row of ggml {@code block_q8_K} bytes into row {@code row} of {@code a}; the stored bsums
     * are checked against the quants.
     *
     * @throws IllegalArgumentException if the length is wrong or a stored bsum disagrees (names the block)
     */
    public static void fromQ8KBytes(byte[] bytes, QuantizedActivations a, int row) {
        requireQ8K(a);
        int blocks = a.cols() / QuantizedActivations.QK_K;
        if (bytes.length != blocks * ActivationFormat.Q8_K.blockBytes()) {
            throw new IllegalArgumentException("Q8_K row of K=" + a.cols() + " needs "
                    + blocks * ActivationFormat.Q8_K.blockBytes() + " bytes, got " + bytes.length);
        }
        MemorySegment seg = MemorySegment.ofArray(bytes);
        byte[] q = new byte[a.cols()];
        float[] d = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            long o = (long) b * ActivationFormat.Q8_K.blockBytes();
            d[b] = seg.get(F32, o);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, o + 4, q, b * QuantizedActivations.QK_K, QuantizedActivations.QK_K);
        }
        a.setRow(row, q, 0f);
        for (int b = 0; b < blocks; b++) {
            a.scales()[row * blocks + b] = d[b];
            long o = (long) b * ActivationFormat.Q8_K.blockBytes();
            for (int g = 0; g < 16; g++) {
                short stored = seg.get(I16, o + 4 + QuantizedActivations.QK_K + 2L * g);
                short computed = a.bsums()[(row * blocks + b) * 16 + g];
                if (d[b] != 0 && stored != computed) {
                    throw new IllegalArgumentException("Q8_K block " + b + ", bsums[" + g + "] at byte "
                            + (o + 4 + QuantizedActivations.QK_K + 2L * g) + ": stored " + stored
                            + ", quants sum to " + computed);
                }
            }
        }
    }

    private static void requireQ8K(QuantizedActivations a) {
        if (a.format() != ActivationFormat.Q8_K) {
            throw new IllegalArgumentException("expected Q8_K activations, got " + a.format());
        }
    }
}
