package dev.wrinklefree.cost.regression;

import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.jmh.Direction;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.jmh.ScoreUnit;
import dev.wrinklefree.cost.stats.MannWhitney;
import dev.wrinklefree.cost.stats.Summary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Regression comparison of two JMH result sets, benchmark by benchmark (identity = benchmark, mode, params).
 *
 * <p>A verdict other than unchanged needs both: the median moved by more than the threshold in one
 * direction, and the two-sided Mann-Whitney U p-value is below alpha. The samples are the forks (each fork's
 * median iteration) when both sides ran at least 2 forks: a JVM keeps one speed for its life, and JVMs differ
 * by more than iterations do (+-10-15 % on a 2-core cloud VM, results/raw/jmh/20261126T1511Z-vector-session-ab),
 * so iterations of one JVM per side test only whether those two JVMs differ. With one fork on either side the
 * samples are the iterations, and the reason says what the p-value leaves out.
 *
 * @param changes benchmarks present in both sets, in the current set's order
 * @param onlyInBaseline benchmarks that disappeared
 * @param onlyInCurrent benchmarks that are new
 * @param options threshold and alpha
 * @param baselineSources files of the baseline
 * @param currentSources files of the current run
 */
public record Comparison(List<BenchmarkChange> changes, List<BenchmarkId> onlyInBaseline, List<BenchmarkId> onlyInCurrent,
                         RegressionOptions options, List<String> baselineSources, List<String> currentSources) {

    /**
     * Compares {@code current} against {@code baseline}.
     *
     * @throws InputException when either set is empty or they share no benchmark
     */
    public static Comparison compare(JmhResultSet baseline, JmhResultSet current, RegressionOptions options) {
        if (baseline.isEmpty() || current.isEmpty()) {
            throw new InputException("cannot compare: the " + (baseline.isEmpty() ? "baseline" : "current") + " result set is empty");
        }
        List<BenchmarkChange> changes = new ArrayList<>();
        List<BenchmarkId> onlyCurrent = new ArrayList<>();
        for (JmhResult cur : current.results()) {
            JmhResult base = baseline.get(cur.id());
            if (base == null) {
                onlyCurrent.add(cur.id());
            } else {
                changes.add(change(base, cur, options));
            }
        }
        List<BenchmarkId> onlyBase = baseline.results().stream().map(JmhResult::id).filter(id -> current.get(id) == null).toList();
        if (changes.isEmpty()) {
            throw new InputException("cannot compare: baseline (" + String.join(", ", baseline.sources()) + ") and current ("
                    + String.join(", ", current.sources()) + ") share no benchmark (identity = benchmark, mode and params)");
        }
        return new Comparison(changes, onlyBase, onlyCurrent, options, baseline.sources(), current.sources());
    }

    /** The changes with this verdict. */
    public List<BenchmarkChange> withVerdict(Verdict v) {
        return changes.stream().filter(c -> c.verdict() == v).toList();
    }

    /** True when any benchmark regressed. */
    public boolean hasRegression() {
        return changes.stream().anyMatch(c -> c.verdict() == Verdict.REGRESSED);
    }

    static BenchmarkChange change(JmhResult base, JmhResult cur, RegressionOptions o) {
        ScoreUnit cu = cur.primary().unit();
        ScoreUnit bu = base.primary().unit();
        double[] bf = base.primary().forkValues();
        double[] cf = cur.primary().forkValues();
        boolean byFork = bf.length >= 2 && cf.length >= 2;
        String samples = byFork ? BenchmarkChange.FORKS : BenchmarkChange.ITERATIONS;
        double[] b = byFork ? bf : base.primary().iterationValues();
        double[] c = byFork ? cf : cur.primary().iterationValues();
        if (!bu.text().equals(cu.text())) {
            double f = conversion(bu, cu);
            if (Double.isNaN(f)) {
                return new BenchmarkChange(cur.id(), cu.text(), cu.direction(), Summary.of(b), Summary.of(c), Double.NaN, null,
                        Verdict.UNCHANGED, "not comparable: units differ (" + bu.text() + " vs " + cu.text() + ")", Double.NaN, samples);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] *= f;
            }
        }
        Summary sb = Summary.of(b);
        Summary sc = Summary.of(c);
        if (sb.n() == 0 || sc.n() == 0) {
            return new BenchmarkChange(cur.id(), cu.text(), cu.direction(), sb, sc, Double.NaN, null, Verdict.UNCHANGED,
                    "not comparable: no iterations in the " + (sb.n() == 0 ? "baseline" : "current run"), Double.NaN, samples);
        }
        double change = sc.median() / sb.median() - 1.0;
        MannWhitney.Result t = MannWhitney.test(b, c);
        Direction d = cu.direction();
        double better = d == Direction.HIGHER_IS_BETTER ? change : d == Direction.LOWER_IS_BETTER ? -change : Double.NaN;
        double cost = d == Direction.HIGHER_IS_BETTER ? sb.median() / sc.median() - 1.0
                : d == Direction.LOWER_IS_BETTER ? sc.median() / sb.median() - 1.0 : Double.NaN;
        Verdict v;
        String why;
        String stat = String.format(Locale.ROOT, "median %+.2f %%, p = %.3g (%s, n = %d vs %d %s)", change * 100, t.pValue(),
                t.method().label(), sb.n(), sc.n(), byFork ? "forks" : "iterations");
        if (!byFork && (base.primary().forkValues().length == 1 || cur.primary().forkValues().length == 1)) {
            stat += "; one JVM on a side: p says whether these JVMs differ, not the code (run 2 or more forks)";
        }
        if (d == Direction.UNKNOWN) {
            v = Verdict.UNCHANGED;
            why = stat + "; unit '" + cu.text() + "' says nothing about better or worse";
        } else if (Math.abs(change) <= o.threshold()) {
            v = Verdict.UNCHANGED;
            why = stat + String.format(Locale.ROOT, "; within the %.1f %% threshold", o.threshold() * 100);
        } else if (t.pValue() >= o.alpha()) {
            v = Verdict.UNCHANGED;
            why = stat + String.format(Locale.ROOT, "; not significant at alpha %.3g", o.alpha())
                    + (t.minimumAchievablePValue() >= o.alpha()
                    ? String.format(Locale.ROOT, " (with %d vs %d %s the smallest possible p is %.3g: run more %s)",
                    sb.n(), sc.n(), samples, t.minimumAchievablePValue(), byFork ? "forks" : "iterations or forks") : "");
        } else {
            v = better > 0 ? Verdict.IMPROVED : Verdict.REGRESSED;
            why = stat;
        }
        return new BenchmarkChange(cur.id(), cu.text(), d, sb, sc, change, t, v, why, cost, samples);
    }

    /** Factor taking a value in {@code from} to {@code to}, NaN when they are not the same kind of unit. */
    private static double conversion(ScoreUnit from, ScoreUnit to) {
        if (from.isThroughput() && to.isThroughput()) {
            return to.secondsPerTimeUnit() / from.secondsPerTimeUnit();
        }
        if (from.isTimePerOp() && to.isTimePerOp()) {
            return from.secondsPerTimeUnit() / to.secondsPerTimeUnit();
        }
        return Double.NaN;
    }
}
