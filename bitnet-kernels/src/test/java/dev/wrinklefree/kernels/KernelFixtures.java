package dev.wrinklefree.kernels;

import dev.wrinklefree.kernels.format.TernaryCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Weights and activations for kernel tests, and every kernel the build can run. */
public final class KernelFixtures {
    private KernelFixtures() {
    }

    /** Every usable kernel of every provider except the scalar oracle: the preferred one and each variant. */
    public static List<TernaryKernel> kernelsUnderTest() {
        List<TernaryKernel> list = new ArrayList<>();
        for (KernelProvider p : Kernels.providers()) {
            if (p.name().equals("scalar") || p.unavailableReason().isPresent()) {
                continue;
            }
            list.add(p.create());
            for (String v : p.variants()) {
                list.add(p.create(v));
            }
        }
        return list;
    }

    /** Random ternary values (-1, 0, 1), about {@code zeroPercent} percent zeros. */
    public static byte[] randomTernary(SplittableRandom rnd, int n, int zeroPercent) {
        byte[] t = new byte[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(100) < zeroPercent ? 0 : (byte) (rnd.nextBoolean() ? 1 : -1);
        }
        return t;
    }

    /** A matrix of these ternary values with every scale 1, so outputs are the exact integer dot products. */
    public static TernaryMatrix unitScaled(TernaryFormat f, byte[] ternary, int rows, int cols) {
        return TernaryCodec.packTernary(f, ternary, rows, cols);
    }

    /** Activations with raw int8 rows and scale 1 (Q8_K d = 1, I8_S s = 1). */
    public static QuantizedActivations rawActivations(TernaryFormat f, byte[][] rows, int cols) {
        QuantizedActivations x = QuantizedActivations.allocate(f, cols, rows.length);
        for (int n = 0; n < rows.length; n++) {
            x.setRow(n, rows[n], 1.0f);
        }
        return x;
    }

    /** Uniform random int8 values over the full range [-128, 127]. */
    public static byte[] randomInt8(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /** Gaussian floats. */
    public static float[] gaussian(SplittableRandom rnd, int n, double sigma) {
        float[] f = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u = 1 - rnd.nextDouble();
            double v = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u)) * sigma;
            f[i] = (float) (r * Math.cos(2 * Math.PI * v));
            if (i + 1 < n) {
                f[i + 1] = (float) (r * Math.sin(2 * Math.PI * v));
            }
        }
        return f;
    }
}
