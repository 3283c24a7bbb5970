package dev.wrinklefree.cost.regression;

import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.jmh.Direction;
import dev.wrinklefree.cost.stats.MannWhitney;
import dev.wrinklefree.cost.stats.Summary;

/**
 * One benchmark in both result sets.
 *
 * @param id the benchmark
 * @param unit the unit the statistics are in (the current run's unit; the baseline is converted to it)
 * @param direction which way is better
 * @param baseline statistics of the baseline's samples (see {@code samples})
 * @param current statistics of the current run's samples
 * @param medianChange current median / baseline median - 1 (signed, in the unit's own sense)
 * @param test the Mann-Whitney U test on those samples, {@code null} when not comparable
 * @param verdict improved, regressed or unchanged
 * @param reason why the verdict, in words (threshold, p-value, sample sizes)
 * @param costChange relative change of $/token if the per-token work scaled with this benchmark
 *     (positive = more expensive); NaN when the unit has no direction
 * @param samples what one sample is: {@link #FORKS} (each fork's median iteration, when both sides ran at
 *     least 2 forks) or {@link #ITERATIONS} (every measurement iteration, forks pooled)
 */
public record BenchmarkChange(BenchmarkId id, String unit, Direction direction, Summary baseline, Summary current,
                              double medianChange, MannWhitney.Result test, Verdict verdict, String reason,
                              double costChange, String samples) {
    /** Samples are forks: each fork's median iteration. */
    public static final String FORKS = "forks";
    /** Samples are measurement iterations, forks pooled. */
    public static final String ITERATIONS = "iterations";
}
