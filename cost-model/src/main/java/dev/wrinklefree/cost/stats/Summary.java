package dev.wrinklefree.cost.stats;

import java.util.Arrays;

/**
 * Descriptive statistics of a sample (for example the raw iterations of a benchmark). NaN values are
 * dropped before computing; {@link #n()} counts the rest.
 *
 * @param n number of finite-or-infinite (non-NaN) values
 * @param mean arithmetic mean (NaN when n = 0)
 * @param median the middle value, or the mean of the two middle values (NaN when n = 0)
 * @param stddev sample standard deviation, n - 1 in the denominator (NaN when n &lt; 2)
 * @param min smallest value (NaN when n = 0)
 * @param max largest value (NaN when n = 0)
 */
public record Summary(int n, double mean, double median, double stddev, double min, double max) {

    /** The statistics of {@code values}, ignoring NaN. */
    public static Summary of(double... values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        int n = v.length;
        if (n == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / n;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        double sd = n < 2 ? Double.NaN : Math.sqrt(ss / (n - 1));
        return new Summary(n, mean, median(v), sd, v[0], v[n - 1]);
    }

    /** Relative standard deviation (stddev / mean), NaN where undefined. */
    public double coefficientOfVariation() {
        return stddev / mean;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
