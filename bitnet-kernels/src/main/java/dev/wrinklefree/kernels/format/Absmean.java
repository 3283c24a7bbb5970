package dev.wrinklefree.kernels.format;

import java.util.Objects;

/**
 * BitNet b1.58 absmean ternarization, the seed's "naive conversion":
 * {@code gamma = mean(|W|)}, {@code w = clamp(round(W / gamma), -1, 1)}, dequantized {@code w * gamma}.
 *
 * <p>{@code round} is round-half-to-even, as PyTorch's {@code round} in the reference {@code weight_quant}.
 * The divisor is clamped at 1e-5 like bitnet.cpp; an all-zero tensor gives {@code gamma = 0} and all-zero
 * codes, never NaN.
 */
public final class Absmean {
    /** Smallest divisor, as bitnet.cpp and the BitNet reference clamp it. */
    public static final double MIN_SCALE = 1e-5;

    private Absmean() {
    }

    /**
     * The result of ternarizing a tensor.
     *
     * @param gamma   mean |W| (0 for an all-zero tensor), the dequantization scale
     * @param ternary one value in {-1, 0, 1} per weight
     */
    public record Result(float gamma, byte[] ternary) {
        /** The dequantized tensor: {@code ternary[i] * gamma}. */
        public float[] dequantize() {
            float[] out = new float[ternary.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = ternary[i] * gamma;
            }
            return out;
        }
    }

    /** Mean absolute value of {@code w[off .. off+n)}, accumulated in double. */
    public static double meanAbs(float[] w, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs(w[off + i]);
        }
        return n == 0 ? 0 : s / n;
    }

    /** Ternarizes a whole tensor with one scale. */
    public static Result ternarize(float[] w) {
        Objects.requireNonNull(w, "w");
        double gamma = meanAbs(w, 0, w.length);
        double inv = 1.0 / Math.max(gamma, MIN_SCALE);
        byte[] t = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            double r = Math.rint(w[i] * inv);
            t[i] = (byte) Math.max(-1, Math.min(1, r));
        }
        return new Result((float) gamma, t);
    }
}
