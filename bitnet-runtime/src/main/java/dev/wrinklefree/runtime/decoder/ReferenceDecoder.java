package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import dev.wrinklefree.runtime.model.Architecture;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.model.ModelConfig;

/**
 * The oracle: the BitNet b1.58 forward pass written as plainly as possible, with every ternary matrix
 * dequantized to floats ({@code (code - 1) * scale}), sums in double, an F32 KV cache, RoPE angles from
 * {@code pos * theta^(-2i/d)} directly, one token at a time. No kernel, no threads, no F16 rounding.
 *
 * <p>BitNet b1.58 quantizes activations to int8 before every BitLinear; {@link ActivationQuant} says whether the
 * oracle simulates that ("fake quantization": values snapped to the int8 grid of the weight format's
 * activation quantizer, then multiplied in floating point) or skips it.
 *
 * <p>Memory: the dequantized weights take 4 bytes per weight; meant for tiny and small models.
 */
public final class ReferenceDecoder {
    /** How the oracle treats activations before a ternary matmul. */
    public enum ActivationQuant {
        /** Snap to the int8 grid of the format's activation quantizer (per token for I2_S, per 256 for TQ). */
        FORMAT,
        /** Leave activations in float (the model without its activation quantization). */
        NONE
    }

    private final BitNetModel model;
    private final ModelConfig cfg;
    private final ActivationQuant quant;
    private final float[][][] weights;
    private final int[][] shapes;
    private final float[] embedding;
    private final float[] head;
    private final float[][] kCache;
    private final float[][] vCache;
    private final int ctx;
    private int pos;

    /**
     * Dequantizes every weight of the model.
     *
     * @param contextLength positions to hold
     */
    public ReferenceDecoder(BitNetModel model, int contextLength, ActivationQuant quant) {
        this.model = model;
        this.cfg = model.config();
        this.quant = quant;
        this.ctx = contextLength;
        int layers = cfg.layers();
        weights = new float[layers][7][];
        shapes = new int[7][];
        for (int l = 0; l < layers; l++) {
            var ms = model.layer(l).matrices();
            for (int i = 0; i < 7; i++) {
                TernaryMatrix m = ms.get(i);
                weights[l][i] = TernaryCodec.dequantize(m);
                shapes[i] = new int[] {m.rows(), m.cols()};
            }
        }
        embedding = dense(model.embedding());
        head = model.tiedHead() ? embedding : dense(model.head());
        kCache = new float[layers][contextLength * cfg.kvDim()];
        vCache = new float[layers][contextLength * cfg.kvDim()];
    }

    private static float[] dense(dev.wrinklefree.runtime.model.DenseMatrix m) {
        float[] out = new float[Math.multiplyExact(m.rows(), m.cols())];
        for (int r = 0; r < m.rows(); r++) {
            m.dequantizeRow(r, out, r * m.cols());
        }
        return out;
    }

    /** Position of the next token. */
    public int position() {
        return pos;
    }

    public void reset() {
        pos = 0;
    }

    /** Evaluates one token and returns fresh logits ({@code vocabSize} floats). */
    public float[] forward(int token) {
        if (pos >= ctx) {
            throw new IllegalArgumentException("reference decoder context of " + ctx + " is full");
        }
        int h = cfg.hiddenSize();
        float[] x = new float[h];
        System.arraycopy(embedding, token * h, x, 0, h);
        for (int l = 0; l < cfg.layers(); l++) {
            BitNetModel.Layer layer = model.layer(l);
            float[] sc = layer.scales();
            float[] xn = rmsNorm(x, layer.attnNorm());
            float[] q = matvec(l, 0, xn, sc[0]);
            float[] k = matvec(l, 1, xn, sc[1]);
            float[] v = matvec(l, 2, xn, sc[2]);
            for (int hh = 0; hh < cfg.heads(); hh++) {
                rope(q, hh * cfg.headDim(), pos);
            }
            for (int hh = 0; hh < cfg.kvHeads(); hh++) {
                rope(k, hh * cfg.headDim(), pos);
            }
            System.arraycopy(k, 0, kCache[l], pos * cfg.kvDim(), cfg.kvDim());
            System.arraycopy(v, 0, vCache[l], pos * cfg.kvDim(), cfg.kvDim());
            float[] a = attention(l, q);
            if (layer.attnSubNorm() != null) {
                a = rmsNorm(a, layer.attnSubNorm());
            }
            float[] o = matvec(l, 3, a, sc[3]);
            for (int i = 0; i < h; i++) {
                x[i] += o[i];
            }
            xn = rmsNorm(x, layer.ffnNorm());
            float[] g = matvec(l, 4, xn, sc[4]);
            float[] u = matvec(l, 5, xn, sc[5]);
            float[] m = new float[cfg.ffnSize()];
            for (int i = 0; i < m.length; i++) {
                double gi = g[i];
                double act = cfg.architecture().activation() == Architecture.FfnActivation.SILU
                        ? gi / (1 + Math.exp(-gi)) : Math.max(gi, 0) * Math.max(gi, 0);
                m[i] = (float) (act * u[i]);
            }
            if (layer.ffnSubNorm() != null) {
                m = rmsNorm(m, layer.ffnSubNorm());
            }
            float[] d = matvec(l, 6, m, sc[6]);
            for (int i = 0; i < h; i++) {
                x[i] += d[i];
            }
        }
        float[] xn = rmsNorm(x, model.outputNorm());
        float[] logits = new float[cfg.vocabSize()];
        for (int r = 0; r < logits.length; r++) {
            double s = 0;
            for (int i = 0; i < h; i++) {
                s += (double) head[r * h + i] * xn[i];
            }
            logits[r] = (float) s;
        }
        pos++;
        return logits;
    }

    private float[] rmsNorm(float[] x, float[] w) {
        double ss = 0;
        for (float e : x) {
            ss += (double) e * e;
        }
        double scale = 1.0 / Math.sqrt(ss / x.length + cfg.rmsEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * scale * w[i]);
        }
        return out;
    }

    private float[] matvec(int layer, int which, float[] x, float scale) {
        int rows = shapes[which][0];
        int cols = shapes[which][1];
        float[] xq = quant == ActivationQuant.NONE ? x : fakeQuantize(x, model.format());
        float[] w = weights[layer][which];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += (double) w[r * cols + c] * xq[c];
            }
            y[r] = (float) (s * scale);
        }
        return y;
    }

    /**
     * Values on the int8 grid the activation quantizer of {@code format} would produce: I8_S one scale
     * {@code 127/max|x|} per vector, Q8_K one per 256 values (the largest magnitude maps to -127).
     */
    static float[] fakeQuantize(float[] x, TernaryFormat format) {
        float[] out = new float[x.length];
        if (format.activationFormat() == dev.wrinklefree.kernels.ActivationFormat.I8_S) {
            double amax = 1e-5;
            for (float e : x) {
                amax = Math.max(amax, Math.abs(e));
            }
            double s = 127.0 / amax;
            for (int i = 0; i < x.length; i++) {
                out[i] = (float) (Math.max(-128, Math.min(127, Math.rint(x[i] * s))) / s);
            }
        } else {
            for (int b = 0; b < x.length; b += 256) {
                double amax = 0;
                for (int i = b; i < b + 256; i++) {
                    amax = Math.max(amax, Math.abs(x[i]));
                }
                if (amax == 0) {
                    continue;
                }
                double d = amax / 127.0;
                for (int i = b; i < b + 256; i++) {
                    out[i] = (float) (Math.max(-127, Math.min(127, Math.rint(x[i] / d))) * d);
                }
            }
        }
        return out;
    }

    private void rope(float[] a, int off, int p) {
        int d = cfg.ropeDims();
        int pairs = d / 2;
        boolean neox = cfg.architecture().ropeStyle() == Architecture.RopeStyle.NEOX;
        for (int j = 0; j < pairs; j++) {
            double theta = cfg.ropeFreqScale() * p * Math.pow(cfg.ropeTheta(), -2.0 * j / d);
            double c = Math.cos(theta);
            double s = Math.sin(theta);
            int i0 = neox ? off + j : off + 2 * j;
            int i1 = neox ? off + j + pairs : off + 2 * j + 1;
            double x0 = a[i0];
            double x1 = a[i1];
            a[i0] = (float) (x0 * c - x1 * s);
            a[i1] = (float) (x0 * s + x1 * c);
        }
    }

    private float[] attention(int l, float[] q) {
        int hd = cfg.headDim();
        int kvDim = cfg.kvDim();
        int group = cfg.heads() / cfg.kvHeads();
        float[] out = new float[cfg.queryDim()];
        double[] s = new double[pos + 1];
        for (int h = 0; h < cfg.heads(); h++) {
            int kvOff = (h / group) * hd;
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= pos; t++) {
                double dot = 0;
                for (int i = 0; i < hd; i++) {
                    dot += (double) q[h * hd + i] * kCache[l][t * kvDim + kvOff + i];
                }
                s[t] = dot / Math.sqrt(hd);
                max = Math.max(max, s[t]);
            }
            double sum = 0;
            for (int t = 0; t <= pos; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            for (int i = 0; i < hd; i++) {
                double acc = 0;
                for (int t = 0; t <= pos; t++) {
                    acc += s[t] / sum * vCache[l][t * kvDim + kvOff + i];
                }
                out[h * hd + i] = (float) acc;
            }
        }
        return out;
    }
}
