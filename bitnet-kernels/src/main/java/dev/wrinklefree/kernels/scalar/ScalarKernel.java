package dev.wrinklefree.kernels.scalar;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.Fp16;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar oracle: plain Java that follows the reference implementations' generic C code line by line
 * (ggml {@code ggml_vec_dot_tq{1,2}_0_q8_K_generic}, bitnet.cpp {@code ggml_vec_dot_i2_i8_s} and its
 * mul_mat epilogue). Every other kernel is tested against it.
 */
public final class ScalarKernel implements TernaryKernel {
    private static final int QK = 256;
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        TernaryMatrix w = pw.matrix();
        int rows = w.rows();
        for (int n = 0; n < x.rows(); n++) {
            for (int r = rowStart; r < rowEnd; r++) {
                y[yOffset + n * rows + r] = switch (w.format()) {
                    case TQ2_0 -> dotTq2(w, r, x, n);
                    case TQ1_0 -> dotTq1(w, r, x, n);
                    case I2_S -> dotI2s(w, r, x, n);
                };
            }
        }
    }

    /** ggml: per block, sumi = sum (code-1) * q; sumf += (float) sumi * (y.d * x.d). */
    static float dotTq2(TernaryMatrix w, int row, QuantizedActivations x, int token) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rowOff = row * w.rowBytes();
        byte[] q = x.quants();
        float[] ds = x.scales();
        int blocks = k / QK;
        float sumf = 0;
        for (int b = 0; b < blocks; b++) {
            long o = rowOff + b * 66L;
            int qb = token * k + b * QK;
            int sumi = 0;
            for (int j = 0; j < 64; j += 32) {
                for (int l = 0; l < 4; l++) {
                    for (int m = 0; m < 32; m++) {
                        int code = ((d.get(ValueLayout.JAVA_BYTE, o + j + m) & 0xFF) >> (l * 2)) & 3;
                        sumi += q[qb + j * 4 + l * 32 + m] * (code - 1);
                    }
                }
            }
            float scale = ds[token * blocks + b] * Fp16.get(d, o + 64);
            sumf += (float) sumi * scale;
        }
        return sumf;
    }

    /** ggml TQ1_0 generic dot: base-3 digits extracted as ((uint8)(q * 3^n) * 3) >> 8. */
    static float dotTq1(TernaryMatrix w, int row, QuantizedActivations x, int token) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rowOff = row * w.rowBytes();
        byte[] q = x.quants();
        float[] ds = x.scales();
        int blocks = k / QK;
        float sumf = 0;
        for (int b = 0; b < blocks; b++) {
            long o = rowOff + b * 54L;
            int qb = token * k + b * QK;
            int sumi = 0;
            for (int n = 0; n < 5; n++) {
                for (int m = 0; m < 32; m++) {
                    int v = ((d.get(ValueLayout.JAVA_BYTE, o + m) & 0xFF) * POW3[n]) & 0xFF;
                    int code = (v * 3) >> 8;
                    sumi += q[qb + n * 32 + m] * (code - 1);
                }
            }
            for (int n = 0; n < 5; n++) {
                for (int m = 0; m < 16; m++) {
                    int v = ((d.get(ValueLayout.JAVA_BYTE, o + 32 + m) & 0xFF) * POW3[n]) & 0xFF;
                    int code = (v * 3) >> 8;
                    sumi += q[qb + 160 + n * 16 + m] * (code - 1);
                }
            }
            for (int n = 0; n < 4; n++) {
                for (int j = 0; j < 4; j++) {
                    int v = ((d.get(ValueLayout.JAVA_BYTE, o + 48 + j) & 0xFF) * POW3[n]) & 0xFF;
                    int code = (v * 3) >> 8;
                    sumi += q[qb + 240 + n * 4 + j] * (code - 1);
                }
            }
            float scale = ds[token * blocks + b] * Fp16.get(d, o + 52);
            sumf += (float) sumi * scale;
        }
        return sumf;
    }

    /** bitnet.cpp: dot = sum code * q (codes 0..2); y = ((float) dot - (float) sum) / s * scale. */
    static float dotI2s(TernaryMatrix w, int row, QuantizedActivations x, int token) {
        int dot = i2sDotRaw(w, row, x, token);
        float t = (float) dot - (float) x.sums()[token];
        t = t / x.scales()[token];
        return t * w.tensorScale();
    }

    /**
     * The integer an I2_S kernel computes before its epilogue: {@code sum_k code_k * q_k} over the row,
     * with codes 0, 1, 2 (bitnet.cpp's {@code dot_raw}).
     */
    public static int i2sDotRaw(TernaryMatrix w, int row, QuantizedActivations x, int token) {
        MemorySegment d = w.data();
        int k = w.cols();
        long rowOff = row * w.rowBytes();
        byte[] q = x.quants();
        int dot = 0;
        for (int b = 0; b < k / 128; b++) {
            long o = rowOff + b * 32L;
            int qb = token * k + b * 128;
            for (int j = 0; j < 32; j++) {
                int v = d.get(ValueLayout.JAVA_BYTE, o + j) & 0xFF;
                dot += ((v >> 6) & 3) * q[qb + j];
                dot += ((v >> 4) & 3) * q[qb + j + 32];
                dot += ((v >> 2) & 3) * q[qb + j + 64];
                dot += (v & 3) * q[qb + j + 96];
            }
        }
        return dot;
    }
}
