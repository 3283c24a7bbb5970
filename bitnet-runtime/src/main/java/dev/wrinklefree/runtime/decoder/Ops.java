package dev.wrinklefree.runtime.decoder;

import java.lang.foreign.MemorySegment;

/**
 * Chooses, once, between {@link VectorOps} and {@link ScalarOps}: the Vector API when the
 * {@code jdk.incubator.vector} module is in the boot layer (run with {@code --add-modules jdk.incubator.vector}),
 * else plain Java. System property {@value #PROPERTY}{@code =false} forces the scalar path (for tests).
 */
final class Ops {
    /** System property: {@code false} disables the Vector API paths of the decoder. */
    static final String PROPERTY = "wrinklefree.decoder.vector";
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty(PROPERTY));
    /**
     * The F16 kernels read a half as its value times 2^-112 (a shift and a mask, no conversion instruction);
     * the float operand they are dotted with is therefore passed pre-multiplied by this. Exact for any operand
     * of magnitude below 2^16 (every F16-rounded value is).
     */
    static final float HALF_SCALE = 0x1p112f;

    private Ops() {
    }

    static float dotF16(MemorySegment w, long off, float[] x, int xOff, int n) {
        return VECTOR ? VectorOps.dotF16(w, off, x, xOff, n) : ScalarOps.dotF16(w, off, x, xOff, n);
    }

    static float dotF32(MemorySegment w, long off, float[] x, int xOff, int n) {
        return VECTOR ? VectorOps.dotF32(w, off, x, xOff, n) : ScalarOps.dotF32(w, off, x, xOff, n);
    }

    static float dotQ8_0(MemorySegment w, long off, float[] xq, float[] xd, int blocks) {
        return VECTOR ? VectorOps.dotQ8_0(w, off, xq, xd, blocks) : ScalarOps.dotQ8_0(w, off, xq, xd, blocks);
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return VECTOR ? VectorOps.dot(a, aOff, b, bOff, n) : ScalarOps.dot(a, aOff, b, bOff, n);
    }

    /** Positions per scoring block: {@link #scoresFourHeads} covers one block, {@link #scoresOneHead} four. */
    static final int LANES = VECTOR ? VectorOps.L : 16;

    static void scoresFourHeads(short[] kT, int kBase, int stride, float[] q, int qOff, int qStride, int d,
                                float[] s, int sStride, int t0) {
        if (VECTOR) {
            VectorOps.scoresFourHeads(kT, kBase, stride, q, qOff, qStride, d, s, sStride, t0);
        } else {
            ScalarOps.scoresFourHeads(kT, kBase, stride, q, qOff, qStride, d, s, sStride, t0, LANES);
        }
    }

    static void scoresOneHead(short[] kT, int kBase, int stride, float[] q, int qOff, int d, float[] s, int sOff, int t0) {
        if (VECTOR) {
            VectorOps.scoresOneHead(kT, kBase, stride, q, qOff, d, s, sOff, t0);
        } else {
            ScalarOps.scoresOneHead(kT, kBase, stride, q, qOff, d, s, sOff, t0, 4 * LANES);
        }
    }

    static void valuesFourHeads(short[] v, int vOff, int stride, float[] p, int pStride, int count, float[] out,
                                int outOff, int d) {
        if (VECTOR) {
            VectorOps.valuesFourHeads(v, vOff, stride, p, pStride, count, out, outOff, d);
        } else {
            for (int h = 0; h < 4; h++) {
                ScalarOps.valuesOneHead(v, vOff, stride, p, h * pStride, count, out, outOff + h * d, d);
            }
        }
    }

    static void valuesOneHead(short[] v, int vOff, int stride, float[] p, int pOff, int count, float[] out, int outOff,
                              int d) {
        if (VECTOR) {
            VectorOps.valuesOneHead(v, vOff, stride, p, pOff, count, out, outOff, d);
        } else {
            ScalarOps.valuesOneHead(v, vOff, stride, p, pOff, count, out, outOff, d);
        }
    }

    static double expAndSum(float[] s, int off, int n, float max) {
        return VECTOR ? VectorOps.expAndSum(s, off, n, max) : ScalarOps.expAndSum(s, off, n, max);
    }

    static double sumOfSquares(float[] x, int off, int n) {
        return VECTOR ? VectorOps.sumOfSquares(x, off, n) : ScalarOps.sumOfSquares(x, off, n);
    }

    static void scaleMul(float[] src, int s, float scale, float[] w, float[] dst, int d, int n) {
        if (VECTOR) {
            VectorOps.scaleMul(src, s, scale, w, dst, d, n);
        } else {
            ScalarOps.scaleMul(src, s, scale, w, dst, d, n);
        }
    }

    static void siluMul(float[] g, float[] u, int from, int to, float sg, float su) {
        if (VECTOR) {
            VectorOps.siluMul(g, u, from, to, sg, su);
        } else {
            ScalarOps.siluMul(g, u, from, to, sg, su);
        }
    }

    static void reluSquaredMul(float[] g, float[] u, int from, int to, float sg, float su) {
        if (VECTOR) {
            VectorOps.reluSquaredMul(g, u, from, to, sg, su);
        } else {
            ScalarOps.reluSquaredMul(g, u, from, to, sg, su);
        }
    }

    /** A description for logs: which path and width. */
    static String describe() {
        return VECTOR ? "Vector API " + VectorOps.F.vectorBitSize() + "-bit" : "scalar";
    }
}
