package dev.wrinklefree.cost.jmh;

/** Which way a score gets better. Taken from the score's unit, never assumed from the mode. */
public enum Direction {
    /** Throughput-like units ({@code ops/s}): bigger is better. */
    HIGHER_IS_BETTER,
    /** Time-per-operation units ({@code us/op}, {@code B/op}): smaller is better. */
    LOWER_IS_BETTER,
    /** Units that say nothing about better or worse (counts, rates of side effects). */
    UNKNOWN
}
