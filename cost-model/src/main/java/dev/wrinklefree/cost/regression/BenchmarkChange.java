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
 * @param baseline statistics of the baseline's raw iterations
 * @param current statistics of the current raw iterations
 * @param medianChange current median / baseline median - 1 (signed, in the unit's own sense)
 * @param test the Mann-Whitney U test on raw iterations, {@code null} when not comparable
 * @param verdict improved, regressed or unchanged
 * @param reason why the verdict, in words (threshold, p-value, sample sizes)
 * @param costChange relative change of $/token if the per-token work scaled with this benchmark
 *     (positive = more expensive); NaN when the unit has no direction
 */
public record BenchmarkChange(BenchmarkId id, String unit, Direction direction, Summary baseline, Summary current,
                              double medianChange, MannWhitney.Result test, Verdict verdict, String reason,
                              double costChange) {
}
