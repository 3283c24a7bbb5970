package dev.wrinklefree.kernels.format;

/** Rounding helpers shared by the format quantizers. */
final class Ternary {
    private Ternary() {
    }

    /** C's {@code lroundf}: round half away from zero (computed in double so 0.49999997f stays 0). */
    static int lroundf(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }
}
