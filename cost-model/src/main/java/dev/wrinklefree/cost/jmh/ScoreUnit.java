package dev.wrinklefree.cost.jmh;

import java.util.Map;

/**
 * A JMH score unit such as {@code ops/s} or {@code us/op}: its direction, and conversion to per-second
 * or seconds when it is a time unit.
 *
 * @param text the unit as JMH wrote it
 * @param direction which way is better
 * @param secondsPerTimeUnit seconds in the unit's time part ({@code 1e-6} for {@code us}); NaN when the
 *     unit has no JMH time part
 */
public record ScoreUnit(String text, Direction direction, double secondsPerTimeUnit) {
    private static final Map<String, Double> SECONDS = Map.of(
            "ns", 1e-9, "us", 1e-6, "\u00b5s", 1e-6, "ms", 1e-3, "s", 1.0, "min", 60.0, "hr", 3600.0, "day", 86400.0);

    /** Parses any unit; units JMH uses for time-based modes get a direction and a time scale. */
    public static ScoreUnit parse(String text) {
        String t = text.strip();
        if (t.startsWith("ops/")) {
            Double s = SECONDS.get(t.substring(4));
            return new ScoreUnit(t, Direction.HIGHER_IS_BETTER, s == null ? Double.NaN : s);
        }
        if (t.endsWith("/op")) {
            Double s = SECONDS.get(t.substring(0, t.length() - 3));
            return new ScoreUnit(t, Direction.LOWER_IS_BETTER, s == null ? Double.NaN : s);
        }
        return new ScoreUnit(t, Direction.UNKNOWN, Double.NaN);
    }

    /** True for {@code ops/<time>}. */
    public boolean isThroughput() {
        return direction == Direction.HIGHER_IS_BETTER && !Double.isNaN(secondsPerTimeUnit);
    }

    /** True for {@code <time>/op}. */
    public boolean isTimePerOp() {
        return direction == Direction.LOWER_IS_BETTER && !Double.isNaN(secondsPerTimeUnit);
    }

    /**
     * Converts a score in this unit to operations per second.
     *
     * @throws IllegalStateException when the unit is neither ops/time nor time/op
     */
    public double toOpsPerSecond(double score) {
        if (isThroughput()) {
            return score / secondsPerTimeUnit;
        }
        if (isTimePerOp()) {
            return 1.0 / (score * secondsPerTimeUnit);
        }
        throw new IllegalStateException("unit '" + text + "' is not a JMH throughput or time unit");
    }
}
