package dev.wrinklefree.runtime.decoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Plain-Java twins of {@link VectorOps}, used where the Vector API module is absent and as test oracles. */
final class ScalarOps {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarOps() {
    }

    /** A half's value times 2^-112, exactly (see {@link Ops#HALF_SCALE}): its bits moved into float position. */
    static float scaledHalf(short h) {
        return Float.intBitsToFloat((h << 13) & 0x8FFF_E000);
    }

    static float dotF16(MemorySegment w, long off, float[] x, int xOff, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += scaledHalf(w.get(I16, off + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    static float dotF32(MemorySegment w, long off, float[] x, int xOff, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += w.get(F32, off + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    static float dotQ8_0(MemorySegment w, long off, float[] xq, float[] xd, int blocks) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long o = off + 34L * b;
            float s = 0;
            for (int j = 0; j < 32; j++) {
                s += w.get(ValueLayout.JAVA_BYTE, o + 2 + j) * xq[32 * b + j];
            }
            sum += s * (Float.float16ToFloat(w.get(I16, o)) * xd[b]);
        }
        return sum;
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    static void scoresFourHeads(short[] kT, int kBase, int stride, float[] q, int qOff, int qStride, int d,
                                float[] s, int sStride, int t0, int lanes) {
        for (int h = 0; h < 4; h++) {
            scoresOneHead(kT, kBase, stride, q, qOff + h * qStride, d, s, h * sStride, t0, lanes);
        }
    }

    /** Scores of one head against {@code lanes} positions from {@code t0}, summed over the head dimension in order. */
    static void scoresOneHead(short[] kT, int kBase, int stride, float[] q, int qOff, int d, float[] s, int sOff, int t0,
                              int lanes) {
        for (int t = t0; t < t0 + lanes; t++) {
            float acc = 0;
            for (int i = 0; i < d; i++) {
                acc = Math.fma(scaledHalf(kT[kBase + i * stride + t]), q[qOff + i], acc);
            }
            s[sOff + t] = acc;
        }
    }

    static void valuesOneHead(short[] v, int vOff, int stride, float[] p, int pOff, int count, float[] out, int outOff,
                              int d) {
        weightedHalfSumTail(v, vOff, stride, p, pOff, count, out, outOff, 0, d);
    }

    /** Columns {@code [from, to)} of one head's attention output, terms in order of {@code t}. */
    static void weightedHalfSumTail(short[] v, int vOff, int stride, float[] p, int pOff, int count, float[] out,
                                    int outOff, int from, int to) {
        for (int c = from; c < to; c++) {
            float acc = 0;
            for (int t = 0; t < count; t++) {
                acc = Math.fma(scaledHalf(v[vOff + t * stride + c]), p[pOff + t], acc);
            }
            out[outOff + c] = acc;
        }
    }

    static double expAndSum(float[] s, int off, int n, float max) {
        double sum = 0;
        for (int t = off; t < off + n; t++) {
            float e = (float) Math.exp(s[t] - max);
            s[t] = e;
            sum += e;
        }
        return sum;
    }

    static double sumOfSquares(float[] x, int off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = x[off + i];
            sum += e * e;
        }
        return sum;
    }

    static void scaleMul(float[] src, int s, float scale, float[] w, float[] dst, int d, int n) {
        for (int i = 0; i < n; i++) {
            dst[d + i] = (src[s + i] * scale) * w[i];
        }
    }

    static void siluMul(float[] g, float[] u, int from, int to, float sg, float su) {
        for (int i = from; i < to; i++) {
            float x = g[i] * sg;
            g[i] = x / (1.0f + (float) Math.exp(-x)) * (u[i] * su);
        }
    }

    static void reluSquaredMul(float[] g, float[] u, int from, int to, float sg, float su) {
        for (int i = from; i < to; i++) {
            float x = Math.max(g[i] * sg, 0f);
            g[i] = x * x * (u[i] * su);
        }
    }
}
