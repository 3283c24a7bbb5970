package dev.wrinklefree.cost.jmh;

import dev.wrinklefree.cost.stats.Summary;
import org.HdrHistogram.DoubleHistogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One JMH metric (the primary score or a secondary one) with the data behind it.
 *
 * @param score JMH's score (mean over iterations; NaN possible)
 * @param scoreError JMH's 99.9 % half-width; NaN when JMH had too few iterations for it
 * @param unit the score unit
 * @param percentiles JMH's {@code scorePercentiles}, percentile (0..100) to value; may be empty
 * @param rawData per fork, the score of each measurement iteration; empty when JMH wrote only histograms
 * @param rawDataHistogram per fork, per iteration, {@code [value, count]} pairs (sample mode); may be empty
 */
public record Metric(double score, double scoreError, ScoreUnit unit, Map<Double, Double> percentiles,
                     List<double[]> rawData, List<List<double[][]>> rawDataHistogram) {
    public Metric {
        percentiles = Map.copyOf(percentiles);
        rawData = List.copyOf(rawData);
        rawDataHistogram = List.copyOf(rawDataHistogram);
    }

    /**
     * One value per measurement iteration, all forks pooled: {@code rawData} where JMH wrote it, else the
     * count-weighted mean of each iteration's histogram (which is JMH's own iteration score in sample mode).
     */
    public double[] iterationValues() {
        return forkIterations().stream().flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /**
     * One value per fork: the median of that fork's measurement iterations (as {@link #iterationValues()} gives
     * them). A JVM keeps one speed for its whole life (its JIT decisions, code and data placement), and that
     * speed can differ between JVMs by more than its iterations vary: the fork, not the iteration, is then the
     * independent sample.
     */
    public double[] forkValues() {
        return forkIterations().stream().filter(f -> f.length > 0).mapToDouble(f -> Summary.of(f).median()).toArray();
    }

    /** Per fork, the scores of its measurement iterations (see {@link #iterationValues()}). */
    private List<double[]> forkIterations() {
        if (!rawData.isEmpty()) {
            return rawData;
        }
        List<double[]> forks = new ArrayList<>();
        for (List<double[][]> fork : rawDataHistogram) {
            List<Double> means = new ArrayList<>();
            for (double[][] iteration : fork) {
                double sum = 0;
                long n = 0;
                for (double[] vc : iteration) {
                    sum += vc[0] * vc[1];
                    n += (long) vc[1];
                }
                if (n > 0) {
                    means.add(sum / n);
                }
            }
            forks.add(means.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return forks;
    }

    /** Statistics of {@link #iterationValues()}. */
    public Summary iterationSummary() {
        return Summary.of(iterationValues());
    }

    /** True when JMH kept the individual samples' histogram (sample mode). */
    public boolean hasHistogram() {
        return !rawDataHistogram.isEmpty();
    }

    /**
     * All samples of all iterations and forks in one HdrHistogram (3 significant digits), for latency
     * percentiles in sample mode.
     *
     * @throws IllegalStateException when there is no histogram
     */
    public DoubleHistogram sampleHistogram() {
        if (!hasHistogram()) {
            throw new IllegalStateException("this metric has no rawDataHistogram (only sample mode writes one)");
        }
        DoubleHistogram h = new DoubleHistogram(3);
        for (List<double[][]> fork : rawDataHistogram) {
            for (double[][] iteration : fork) {
                for (double[] vc : iteration) {
                    if (vc[1] > 0 && Double.isFinite(vc[0]) && vc[0] >= 0) {
                        h.recordValueWithCount(vc[0], (long) vc[1]);
                    }
                }
            }
        }
        return h;
    }
}
