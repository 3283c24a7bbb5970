package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.ffm.NativeDense;
import dev.wrinklefree.kernels.format.Fp16;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.DenseMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The LM head GEMV, {@code logits = W x} for one hidden vector, with the input prepared the way ggml's
 * {@code mul_mat} prepares it for each weight type (the "vec_dot_type"): rounded to F16 for F16 weights,
 * quantized to Q8_0 (AVX2 rounding, to nearest even) for Q8_0, to Q8_K for Q6_K, rounded to BF16 for
 * BF16, kept as is for F32. Rows can be computed in any split across threads.
 *
 * <p>With the native kernel backend, F16 and Q8_0 heads run in native code ({@link NativeDense}: the same input
 * preparation, the same per-block integers and scales, float sums in another order), because the Java head is
 * compute bound at 10 to 15 GB/s a thread and the head is the largest matrix of a decode step. System property
 * {@value #NATIVE_PROPERTY}{@code =false} keeps the Java head.
 *
 * <p>Not thread-safe for {@link #prepare}; {@link #compute} may run on disjoint row ranges concurrently.
 */
final class LmHead {
    /** System property: {@code false} keeps the Java LM head even with the native kernel backend. */
    static final String NATIVE_PROPERTY = "wrinklefree.decoder.nativeHead";

    private final DenseMatrix w;
    private final int cols;
    private final boolean nativeDense;
    private final float[] xf;
    /** Q8_0 quants of the input, held as floats (exact small integers) for the vector dot. */
    private final float[] xq;
    /** The same quants as bytes, for the native dot. */
    private final byte[] xq8;
    private final float[] xd;
    private final QuantizedActivations q8k;

    /** A Java head. */
    LmHead(DenseMatrix w) {
        this(w, false);
    }

    /**
     * @param nativeDense run the GEMV in native code (F16 and Q8_0 only)
     */
    LmHead(DenseMatrix w, boolean nativeDense) {
        if (nativeDense && !nativeTypes(w.type())) {
            throw new IllegalArgumentException("no native LM head for " + w.type());
        }
        this.w = w;
        this.cols = w.cols();
        this.nativeDense = nativeDense;
        this.xf = new float[cols];
        this.xq = new float[cols];
        this.xq8 = new byte[w.type() == GgmlType.Q8_0 ? cols : 0];
        this.xd = new float[Math.max(1, cols / 32)];
        this.q8k = switch (w.type()) {
            case Q6_K -> QuantizedActivations.allocate(ActivationFormat.Q8_K, cols, 1);
            default -> null;
        };
    }

    DenseMatrix matrix() {
        return w;
    }

    /**
     * Whether a decoder on this kernel runs a head of this type natively: the kernel is a {@code native} one, the
     * type is F16 or Q8_0, the native dense GEMV runs on this CPU, and {@value #NATIVE_PROPERTY} is not false.
     */
    static boolean nativeRuns(TernaryKernel kernel, GgmlType type) {
        return kernel.name().startsWith("native") && nativeTypes(type)
                && !"false".equals(System.getProperty(NATIVE_PROPERTY)) && NativeDense.unavailableReason().isEmpty();
    }

    private static boolean nativeTypes(GgmlType type) {
        return type == GgmlType.F16 || type == GgmlType.Q8_0;
    }

    /** Whether this head runs in native code. */
    boolean isNative() {
        return nativeDense;
    }

    /** Prepares the input vector {@code x[off .. off+cols)}. */
    void prepare(float[] x, int off) {
        switch (w.type()) {
            case F32 -> System.arraycopy(x, off, xf, 0, cols);
            case F16 -> {
                // the Java kernel reads halves scaled by 2^-112 and takes its operand scaled by 2^112; native code
                // converts halves exactly and takes the F16-rounded value itself
                float scale = nativeDense ? 1f : Ops.HALF_SCALE;
                for (int i = 0; i < cols; i++) {
                    xf[i] = Float.float16ToFloat(Float.floatToFloat16(x[off + i])) * scale;
                }
            }
            case BF16 -> {
                for (int i = 0; i < cols; i++) {
                    xf[i] = roundToBf16(x[off + i]);
                }
            }
            case Q8_0 -> {
                quantizeQ8_0(x, off, cols, xq, xd);
                if (nativeDense) {
                    for (int i = 0; i < cols; i++) {
                        xq8[i] = (byte) xq[i];  // exact: quants are integers in [-127, 127]
                    }
                }
            }
            case Q6_K -> q8k.quantize(x, off, 1);
            default -> throw new IllegalStateException("unsupported head type " + w.type());
        }
    }

    /** Writes {@code logits[r]} for rows {@code [r0, r1)}. */
    void compute(float[] logits, int r0, int r1) {
        MemorySegment d = w.data();
        long rb = w.rowBytes();
        if (nativeDense) {
            if (w.type() == GgmlType.F16) {
                NativeDense.f16(d, rb, cols, xf, logits, r0, r1);
            } else {
                NativeDense.q8_0(d, rb, cols, xq8, xd, logits, r0, r1);
            }
            return;
        }
        switch (w.type()) {
            case F32 -> {
                for (int r = r0; r < r1; r++) {
                    logits[r] = Ops.dotF32(d, r * rb, xf, 0, cols);
                }
            }
            case F16 -> {
                for (int r = r0; r < r1; r++) {
                    logits[r] = Ops.dotF16(d, r * rb, xf, 0, cols);
                }
            }
            case BF16 -> {
                for (int r = r0; r < r1; r++) {
                    float s = 0;
                    for (int i = 0; i < cols; i++) {
                        s += Float.intBitsToFloat((d.get(ScalarOps.I16, r * rb + 2L * i) & 0xFFFF) << 16) * xf[i];
                    }
                    logits[r] = s;
                }
            }
            case Q8_0 -> {
                for (int r = r0; r < r1; r++) {
                    logits[r] = Ops.dotQ8_0(d, r * rb, xq, xd, cols / 32);
                }
            }
            case Q6_K -> {
                for (int r = r0; r < r1; r++) {
                    logits[r] = dotQ6K(d, r * rb, q8k, cols);
                }
            }
            default -> throw new IllegalStateException("unsupported head type " + w.type());
        }
    }

    /** ggml {@code fp32_to_bf16}: round to nearest even, quiet NaNs kept NaN. */
    static float roundToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return Float.intBitsToFloat((u | 0x00400000) & 0xFFFF0000);
        }
        u = (u + (0x7fff + ((u >>> 16) & 1))) & 0xFFFF0000;
        return Float.intBitsToFloat(u);
    }

    /**
     * ggml's AVX2 {@code quantize_row_q8_0}: per 32-block {@code d = amax/127} stored as F16,
     * {@code q = round_to_nearest_even(x * 127/amax)}. {@code xd} receives the F16-rounded scales.
     */
    static void quantizeQ8_0(float[] x, int off, int n, float[] q, float[] d) {
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[off + 32 * b + j]));
            }
            d[b] = Fp16.toFloat(Fp16.fromFloat(amax / 127f));
            float id = amax != 0 ? 127f / amax : 0f;
            for (int j = 0; j < 32; j++) {
                q[32 * b + j] = (float) Math.rint(x[off + 32 * b + j] * id);
            }
        }
    }

    /**
     * ggml Q6_K x Q8_K: per 256-block the exact int sum over its 16 groups of {@code scale_g * sum(q6 * q8)},
     * times {@code d_w * d_x}, summed in float.
     */
    static float dotQ6K(MemorySegment d, long off, QuantizedActivations x, int n) {
        byte[] q8 = x.quants();
        float[] dx = x.scales();
        float sum = 0;
        for (int b = 0; b < n / 256; b++) {
            long blk = off + 210L * b;
            int isum = 0;
            for (int half = 0; half < 2; half++) {
                long ql = blk + 64L * half;
                long qh = blk + 128 + 32L * half;
                long sc = blk + 192 + 8L * half;
                int base = b * 256 + half * 128;
                for (int l = 0; l < 32; l++) {
                    int lo0 = d.get(ValueLayout.JAVA_BYTE, ql + l) & 0xFF;
                    int lo1 = d.get(ValueLayout.JAVA_BYTE, ql + l + 32) & 0xFF;
                    int h = d.get(ValueLayout.JAVA_BYTE, qh + l) & 0xFF;
                    int is = l / 16;
                    isum += d.get(ValueLayout.JAVA_BYTE, sc + is) * (((lo0 & 0xF) | ((h & 3) << 4)) - 32) * q8[base + l];
                    isum += d.get(ValueLayout.JAVA_BYTE, sc + is + 2) * (((lo1 & 0xF) | (((h >> 2) & 3) << 4)) - 32)
                            * q8[base + l + 32];
                    isum += d.get(ValueLayout.JAVA_BYTE, sc + is + 4) * (((lo0 >> 4) | (((h >> 4) & 3) << 4)) - 32)
                            * q8[base + l + 64];
                    isum += d.get(ValueLayout.JAVA_BYTE, sc + is + 6) * (((lo1 >> 4) | (((h >> 6) & 3) << 4)) - 32)
                            * q8[base + l + 96];
                }
            }
            sum += Fp16.get(d, blk + 208) * dx[b] * isum;
        }
        return sum;
    }
}
