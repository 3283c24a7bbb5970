package dev.wrinklefree.cost.regression;

/**
 * When a change counts.
 *
 * @param threshold relative change of the median that must be exceeded, as a fraction in (0, 1) (0.05 = 5 %)
 * @param alpha significance level for the two-sided Mann-Whitney U p-value, in (0, 1)
 */
public record RegressionOptions(double threshold, double alpha) {
    public RegressionOptions {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("regression threshold must be a fraction in (0, 1), got " + threshold);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("significance level alpha must be in (0, 1), got " + alpha);
        }
    }

    /** 5 % threshold, alpha 0.05. */
    public static RegressionOptions defaults() {
        return new RegressionOptions(0.05, 0.05);
    }
}
