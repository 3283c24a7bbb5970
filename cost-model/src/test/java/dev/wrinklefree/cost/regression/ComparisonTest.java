package dev.wrinklefree.cost.regression;

import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.jmh.Metric;
import dev.wrinklefree.cost.jmh.ScoreUnit;
import dev.wrinklefree.cost.stats.MannWhitney;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparisonTest {
    static JmhResult result(String unit, double... iterations) {
        Metric m = new Metric(0, Double.NaN, ScoreUnit.parse(unit), Map.of(), List.<double[]>of(iterations), List.of());
        return new JmhResult(BenchmarkId.of("x.KernelBench.run", unit.startsWith("ops") ? "thrpt" : "avgt", Map.of("shape", "2560x2560")),
                1, 1, "1.37", "25", "vm", m, Map.of(), "test");
    }

    /** A throughput result with these forks, each a row of iteration scores. */
    static JmhResult forks(double[]... forks) {
        Metric m = new Metric(0, Double.NaN, ScoreUnit.parse("ops/s"), Map.of(), List.of(forks), List.of());
        return new JmhResult(BenchmarkId.of("x.KernelBench.run", "thrpt", Map.of("shape", "2560x2560")),
                1, forks.length, "1.37", "25", "vm", m, Map.of(), "test");
    }

    static BenchmarkChange compare(JmhResult base, JmhResult cur) {
        return Comparison.compare(JmhResultSet.of(List.of(base)), JmhResultSet.of(List.of(cur)), RegressionOptions.defaults()).changes().getFirst();
    }

    @Test
    void regressionNeedsThresholdAndSignificance() {
        double[] base = {100, 101, 102, 99, 100.5, 98, 101.5, 99.5};
        double[] slower = {80, 81, 79, 80.5, 82, 79.5, 78, 81.5};
        BenchmarkChange c = compare(result("ops/s", base), result("ops/s", slower));
        assertEquals(Verdict.REGRESSED, c.verdict());
        assertEquals(80.25 / 100.25 - 1, c.medianChange(), 1e-12);
        assertEquals(MannWhitney.Method.EXACT, c.test().method());
        assertTrue(c.test().pValue() < 0.001);
        assertEquals(100.25 / 80.25 - 1, c.costChange(), 1e-12, "cost per token rises as throughput falls");

        assertEquals(Verdict.IMPROVED, compare(result("ops/s", slower), result("ops/s", base)).verdict());
        // The same numbers as time per op: lower is better, so the verdicts flip.
        assertEquals(Verdict.IMPROVED, compare(result("us/op", base), result("us/op", slower)).verdict());
    }

    @Test
    void smallShiftsAreUnchangedEvenWhenSignificant() {
        double[] base = {100, 100.1, 100.2, 100.3, 100.4, 100.5, 100.6, 100.7};
        double[] cur = {102, 102.1, 102.2, 102.3, 102.4, 102.5, 102.6, 102.7};
        BenchmarkChange c = compare(result("ops/s", base), result("ops/s", cur));
        assertTrue(c.test().pValue() < 0.001);
        assertEquals(Verdict.UNCHANGED, c.verdict());
        assertTrue(c.reason().contains("within the 5.0 % threshold"), c.reason());
    }

    @Test
    void largeShiftsWithTooFewIterationsAreUnchangedAndSaySo() {
        BenchmarkChange c = compare(result("ops/s", 100, 101, 99), result("ops/s", 50, 51, 49));
        assertEquals(Verdict.UNCHANGED, c.verdict());
        assertEquals(0.1, c.test().pValue(), 1e-12);
        assertTrue(c.reason().contains("smallest possible p is 0.1"), c.reason());
    }

    @Test
    void unitsAreConvertedOrRefused() {
        BenchmarkChange c = compare(result("ops/ms", 0.1, 0.1, 0.1), result("ops/s", 100, 100, 100));
        assertEquals(0, c.medianChange(), 1e-12);
        // thrpt vs avgt have different modes, so different identities: no shared benchmark.
        assertThrows(InputException.class, () -> compare(result("ops/s", 1, 2), result("us/op", 1, 2)));
    }

    @Test
    void realFixturesAgainstThemselves() {
        JmhResultSet a = JmhReader.read(Fixtures.jmh("thrpt-params.json"));
        Comparison c = Comparison.compare(a, a, RegressionOptions.defaults());
        assertEquals(4, c.changes().size());
        assertFalse(c.hasRegression());
        assertTrue(c.changes().stream().allMatch(x -> x.medianChange() == 0 && x.verdict() == Verdict.UNCHANGED));
        JmhResultSet b = JmhReader.read(Fixtures.jmh("avgt-params.json"));
        Comparison mixed = Comparison.compare(a, a.plus(b), RegressionOptions.defaults());
        assertEquals(2, mixed.onlyInCurrent().size());
        var e = assertThrows(InputException.class, () -> Comparison.compare(a, b, RegressionOptions.defaults()));
        assertTrue(e.getMessage().contains("share no benchmark"), e.getMessage());
    }

    /**
     * Two JVMs a side, each steady but 10 % apart: pooled iterations would call the change significant; per fork
     * there are 2 samples a side and no verdict is possible, and the reason says to run more forks.
     */
    @Test
    void forksAreTheSamplesWhenBothSidesRanSeveral() {
        double[] fast = {110, 110.5, 109.5, 110.2, 109.8};
        double[] slow = {100, 100.5, 99.5, 100.2, 99.8};
        double[] slower = {90, 90.5, 89.5, 90.2, 89.8};
        BenchmarkChange two = compare(forks(fast, slow), forks(slow, slower));
        assertEquals(BenchmarkChange.FORKS, two.samples());
        assertEquals(2, two.baseline().n());
        assertEquals((100.0 + 90) / (110.0 + 100) - 1, two.medianChange(), 1e-12);
        assertEquals(Verdict.UNCHANGED, two.verdict());
        assertTrue(two.reason().contains("2 vs 2 forks the smallest possible p"), two.reason());
        // Pooled, the same iterations would have been a significant regression beyond the threshold.
        assertTrue(MannWhitney.test(concat(fast, slow), concat(slow, slower)).pValue() < 0.05);

        // Four forks a side, every current fork below every baseline fork: significant per fork.
        double[] a = {100, 101, 99}, b = {104, 103, 105}, c = {96, 97, 95}, d = {102, 101, 103};
        BenchmarkChange four = compare(forks(a, b, c, d), forks(scale(a, 0.8), scale(b, 0.8), scale(c, 0.8), scale(d, 0.8)));
        assertEquals(BenchmarkChange.FORKS, four.samples());
        assertEquals(Verdict.REGRESSED, four.verdict());
        assertEquals(2.0 / 70, four.test().pValue(), 1e-9, "the smallest two-sided p of 4 vs 4");
        assertTrue(four.reason().contains("n = 4 vs 4 forks"), four.reason());
    }

    @Test
    void oneForkOnASideTestsIterationsAndSaysWhatThatLeavesOut() {
        double[] base = {100, 101, 102, 99, 100.5, 98, 101.5, 99.5};
        double[] slower = {80, 81, 79, 80.5, 82, 79.5, 78, 81.5};
        BenchmarkChange c = compare(forks(base), forks(slower, slower));
        assertEquals(BenchmarkChange.ITERATIONS, c.samples());
        assertEquals(8, c.baseline().n());
        assertEquals(16, c.current().n());
        assertEquals(Verdict.REGRESSED, c.verdict());
        assertTrue(c.reason().contains("one JVM on a side"), c.reason());
    }

    private static double[] scale(double[] v, double f) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= f;
        }
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void optionsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new RegressionOptions(0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new RegressionOptions(0.05, 1));
    }
}
