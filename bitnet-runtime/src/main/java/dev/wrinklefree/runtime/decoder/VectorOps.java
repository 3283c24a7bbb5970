package dev.wrinklefree.runtime.decoder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The dense float kernels of the decoder (LM head, attention) in the Vector API at the machine's
 * preferred width. Each has a scalar twin in {@link ScalarOps} that gives the same result up to float
 * summation order; {@link Ops} picks one. Only loaded when the {@code jdk.incubator.vector} module is present.
 *
 * <p>F16 values are widened with integer arithmetic (no F16C instruction is reachable from the Vector API):
 * the sign-extended half shifted left by 13 has the sign in bit 31 and exponent and mantissa in bits 27..13;
 * masking bits 30..28 away leaves {@code sign | (magnitude << 13)}, which read as a float is the half's value
 * times 2^-112, exactly, subnormals included (a "scaled half", see {@link Ops#HALF_SCALE}). The other operand
 * comes pre-multiplied by 2^112, so products and sums are those of the true values, bit for bit. Halves
 * holding infinity or NaN come out finite; model weights and caches never hold them.
 */
final class VectorOps {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Short> S_HALF = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 16));
    /** Bytes, as many lanes as a float vector has. */
    static final VectorSpecies<Byte> B_LANES = ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(L * 8));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private VectorOps() {
    }

    /** Widens L halves (as 16-bit lanes) to scaled floats: value times 2^-112. */
    static FloatVector scaledHalf(ShortVector h) {
        IntVector v = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
        return v.lanewise(VectorOperators.LSHL, 13).and(0x8FFF_E000).reinterpretAsFloats();
    }

    /** {@code sum_i f16(w[off + 2i]) * x[xOff + i]} for {@code x} pre-scaled by 2^112, F32 accumulation. */
    static float dotF16(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector w0 = scaledHalf(ShortVector.fromMemorySegment(S_HALF, w, off + 2L * i, LE));
            FloatVector w1 = scaledHalf(ShortVector.fromMemorySegment(S_HALF, w, off + 2L * (i + L), LE));
            acc0 = w0.fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
        }
        for (; i + L <= n; i += L) {
            acc0 = scaledHalf(ShortVector.fromMemorySegment(S_HALF, w, off + 2L * i, LE))
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += ScalarOps.scaledHalf(w.get(I16, off + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    /** {@code sum_i w[off + 4i] * x[xOff + i]} for little-endian F32 weights. */
    static float dotF32(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(F, w, off + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, off + 4L * (i + L), LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += w.get(ScalarOps.F32, off + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    /**
     * ggml Q8_0 x Q8_0: per 32-block the dot of the quants times {@code d_w * d_x}, accumulated in float lanes
     * (as ggml's AVX2 code: lane sums of a few products, exact, times the block scale).
     *
     * @param w      row bytes: blocks of {@code d:f16, qs[32]}
     * @param xq     the activation quants (Q8_0, 32 per block) as floats (exact small integers)
     * @param xd     the activation block scales (already F16-rounded, as floats)
     * @param blocks blocks in the row
     */
    static float dotQ8_0(MemorySegment w, long off, float[] xq, float[] xd, int blocks) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            acc0 = q8Block(w, off + 34L * b, xq, 32 * b).fma(
                    FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, off + 34L * b)) * xd[b]), acc0);
            acc1 = q8Block(w, off + 34L * (b + 1), xq, 32 * (b + 1)).fma(
                    FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, off + 34L * (b + 1))) * xd[b + 1]), acc1);
        }
        if (b < blocks) {
            acc0 = q8Block(w, off + 34L * b, xq, 32 * b).fma(
                    FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, off + 34L * b)) * xd[b]), acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** Lane sums of one block's 32 quant products (each lane sums 32/L products, exactly). */
    private static FloatVector q8Block(MemorySegment w, long o, float[] xq, int x0) {
        FloatVector t = ((FloatVector) ByteVector.fromMemorySegment(B_LANES, w, o + 2, LE)
                .convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, xq, x0));
        for (int c = L; c < 32; c += L) {
            t = ((FloatVector) ByteVector.fromMemorySegment(B_LANES, w, o + 2 + c, LE)
                    .convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, xq, x0 + c), t);
        }
        return t;
    }

    /** {@code sum_i a[aOff+i] * b[bOff+i]}. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
        }
        for (; i + L <= n; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /**
     * Attention scores of four query heads against {@code L} cached positions: for each head {@code h},
     * {@code s[h*sStride + t0 + j] = sum_i q[qOff + h*qStride + i] * K[i][t0 + j]}, {@code j < L}, where the K
     * cache is transposed ({@code kT[kBase + i*stride + t]}, scaled halves) and {@code q} is pre-scaled by
     * 2^112. Four heads share each widened K vector and give four independent accumulation chains.
     */
    static void scoresFourHeads(short[] kT, int kBase, int stride, float[] q, int qOff, int qStride, int d,
                                float[] s, int sStride, int t0) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int i = 0; i < d; i++) {
            FloatVector k = scaledHalf(ShortVector.fromArray(S_HALF, kT, kBase + i * stride + t0));
            a0 = k.fma(FloatVector.broadcast(F, q[qOff + i]), a0);
            a1 = k.fma(FloatVector.broadcast(F, q[qOff + qStride + i]), a1);
            a2 = k.fma(FloatVector.broadcast(F, q[qOff + 2 * qStride + i]), a2);
            a3 = k.fma(FloatVector.broadcast(F, q[qOff + 3 * qStride + i]), a3);
        }
        a0.intoArray(s, t0);
        a1.intoArray(s, sStride + t0);
        a2.intoArray(s, 2 * sStride + t0);
        a3.intoArray(s, 3 * sStride + t0);
    }

    /** Scores of one query head against {@code 4L} cached positions from {@code t0} (four chains of L positions). */
    static void scoresOneHead(short[] kT, int kBase, int stride, float[] q, int qOff, int d, float[] s, int sOff, int t0) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int i = 0; i < d; i++) {
            int b = kBase + i * stride + t0;
            FloatVector qi = FloatVector.broadcast(F, q[qOff + i]);
            a0 = scaledHalf(ShortVector.fromArray(S_HALF, kT, b)).fma(qi, a0);
            a1 = scaledHalf(ShortVector.fromArray(S_HALF, kT, b + L)).fma(qi, a1);
            a2 = scaledHalf(ShortVector.fromArray(S_HALF, kT, b + 2 * L)).fma(qi, a2);
            a3 = scaledHalf(ShortVector.fromArray(S_HALF, kT, b + 3 * L)).fma(qi, a3);
        }
        a0.intoArray(s, sOff + t0);
        a1.intoArray(s, sOff + t0 + L);
        a2.intoArray(s, sOff + t0 + 2 * L);
        a3.intoArray(s, sOff + t0 + 3 * L);
    }

    /**
     * Attention outputs of four heads sharing a V cache: {@code out[outOff + h*d + c] = sum_t p[h*pStride + t] *
     * V[vOff + t*stride + c]} for {@code c < d}, {@code t < count}; {@code p} pre-scaled by 2^112, terms summed in
     * order of {@code t}, one fused multiply-add each.
     */
    static void valuesFourHeads(short[] v, int vOff, int stride, float[] p, int pStride, int count, float[] out,
                                int outOff, int d) {
        int c = 0;
        for (; c + L <= d; c += L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int t = 0; t < count; t++) {
                FloatVector x = scaledHalf(ShortVector.fromArray(S_HALF, v, vOff + t * stride + c));
                a0 = x.fma(FloatVector.broadcast(F, p[t]), a0);
                a1 = x.fma(FloatVector.broadcast(F, p[pStride + t]), a1);
                a2 = x.fma(FloatVector.broadcast(F, p[2 * pStride + t]), a2);
                a3 = x.fma(FloatVector.broadcast(F, p[3 * pStride + t]), a3);
            }
            a0.intoArray(out, outOff + c);
            a1.intoArray(out, outOff + d + c);
            a2.intoArray(out, outOff + 2 * d + c);
            a3.intoArray(out, outOff + 3 * d + c);
        }
        for (int h = 0; h < 4 && c < d; h++) {
            ScalarOps.weightedHalfSumTail(v, vOff, stride, p, h * pStride, count, out, outOff + h * d, c, d);
        }
    }

    /** One head's outputs, four column chunks at a time: {@code out[outOff + c] = sum_t p[t] * V[vOff + t*stride + c]}. */
    static void valuesOneHead(short[] v, int vOff, int stride, float[] p, int pOff, int count, float[] out, int outOff,
                              int d) {
        int c = 0;
        for (; c + 4 * L <= d; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int t = 0; t < count; t++) {
                int b = vOff + t * stride + c;
                FloatVector pt = FloatVector.broadcast(F, p[pOff + t]);
                a0 = scaledHalf(ShortVector.fromArray(S_HALF, v, b)).fma(pt, a0);
                a1 = scaledHalf(ShortVector.fromArray(S_HALF, v, b + L)).fma(pt, a1);
                a2 = scaledHalf(ShortVector.fromArray(S_HALF, v, b + 2 * L)).fma(pt, a2);
                a3 = scaledHalf(ShortVector.fromArray(S_HALF, v, b + 3 * L)).fma(pt, a3);
            }
            a0.intoArray(out, outOff + c);
            a1.intoArray(out, outOff + c + L);
            a2.intoArray(out, outOff + c + 2 * L);
            a3.intoArray(out, outOff + c + 3 * L);
        }
        for (; c + L <= d; c += L) {
            FloatVector a0 = FloatVector.zero(F);
            for (int t = 0; t < count; t++) {
                a0 = scaledHalf(ShortVector.fromArray(S_HALF, v, vOff + t * stride + c))
                        .fma(FloatVector.broadcast(F, p[pOff + t]), a0);
            }
            a0.intoArray(out, outOff + c);
        }
        if (c < d) {
            ScalarOps.weightedHalfSumTail(v, vOff, stride, p, pOff, count, out, outOff, c, d);
        }
    }

    /**
     * Softmax numerators in place: {@code s[t] = exp(s[t] - max)} for {@code off <= t < off + n}; returns their sum in double.
     */
    static double expAndSum(float[] s, int off, int n, float max) {
        DoubleVector acc = DoubleVector.zero(D);
        DoubleVector acc1 = DoubleVector.zero(D);
        int t = off;
        int end = off + n;
        for (; t + L <= end; t += L) {
            FloatVector e = FloatVector.fromArray(F, s, t).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(s, t);
            acc = acc.add(e.convertShape(VectorOperators.F2D, D, 0));
            acc1 = acc1.add(e.convertShape(VectorOperators.F2D, D, 1));
        }
        double sum = acc.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; t < end; t++) {
            float e = (float) Math.exp(s[t] - max);
            s[t] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code sum_i (double)(x_i * x_i)} with the products rounded to float, as ggml's RMSNorm sums them. */
    static double sumOfSquares(float[] x, int off, int n) {
        DoubleVector acc0 = DoubleVector.zero(D);
        DoubleVector acc1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            FloatVector sq = v.mul(v);
            acc0 = acc0.add(sq.convertShape(VectorOperators.F2D, D, 0));
            acc1 = acc1.add(sq.convertShape(VectorOperators.F2D, D, 1));
        }
        double sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = x[off + i];
            sum += e * e;
        }
        return sum;
    }

    /** {@code dst[d+i] = (src[s+i] * scale) * w[i]}, two float roundings as ggml's rms_norm then mul. */
    static void scaleMul(float[] src, int s, float scale, float[] w, float[] dst, int d, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(F, src, s + i).mul(scale).mul(FloatVector.fromArray(F, w, i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = (src[s + i] * scale) * w[i];
        }
    }

    /** {@code g[i] = silu(g[i] * sg) * (u[i] * su)} with {@code silu(x) = x / (1 + e^-x)}. */
    static void siluMul(float[] g, float[] u, int from, int to, float sg, float su) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector x = FloatVector.fromArray(F, g, i).mul(sg);
            FloatVector e = x.neg().lanewise(VectorOperators.EXP);
            x.div(e.add(1f)).mul(FloatVector.fromArray(F, u, i).mul(su)).intoArray(g, i);
        }
        for (; i < to; i++) {
            float x = g[i] * sg;
            g[i] = x / (1.0f + (float) Math.exp(-x)) * (u[i] * su);
        }
    }

    /** {@code g[i] = relu(g[i] * sg)^2 * (u[i] * su)}. */
    static void reluSquaredMul(float[] g, float[] u, int from, int to, float sg, float su) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector x = FloatVector.fromArray(F, g, i).mul(sg).max(0f);
            x.mul(x).mul(FloatVector.fromArray(F, u, i).mul(su)).intoArray(g, i);
        }
        for (; i < to; i++) {
            float x = Math.max(g[i] * sg, 0f);
            g[i] = x * x * (u[i] * su);
        }
    }
}
