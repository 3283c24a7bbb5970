package dev.wrinklefree.cost.report;

import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.regression.BenchmarkChange;
import dev.wrinklefree.cost.regression.Comparison;
import dev.wrinklefree.cost.regression.CostImpact;
import dev.wrinklefree.cost.regression.Verdict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The regression report of a {@link Comparison}: Markdown (CI job summaries), HTML with a delta chart, CSV. */
public final class RegressionReport {
    private final Comparison c;
    private final Doc doc;

    private RegressionReport(Comparison c, List<CostImpact> impacts, String title) {
        this.c = c;
        this.doc = build(c, impacts, title);
    }

    /**
     * Renders the report.
     *
     * @param impacts per-hardware cost changes (may be empty when the results give no tokens/s)
     * @param title heading, e.g. the run id
     */
    public static RegressionReport of(Comparison comparison, List<CostImpact> impacts, String title) {
        return new RegressionReport(comparison, impacts, title);
    }

    public String markdown() {
        return doc.markdown();
    }

    public String html() {
        return doc.html();
    }

    /** One row per benchmark present in both sets. */
    public String csv() {
        StringBuilder b = new StringBuilder("benchmark,mode,params,unit,baseline_median,current_median,median_change,p_value,test_method,baseline_n,current_n,samples,verdict,cost_change\n");
        for (BenchmarkChange ch : c.changes()) {
            b.append(String.join(",", List.of(Fmt.csv(ch.id().benchmark()), ch.id().mode(), Fmt.csv(ch.id().paramsText()), Fmt.csv(ch.unit()),
                    num(ch.baseline().median()), num(ch.current().median()), num(ch.medianChange()),
                    ch.test() == null ? "" : num(ch.test().pValue()), ch.test() == null ? "" : Fmt.csv(ch.test().method().label()),
                    String.valueOf(ch.baseline().n()), String.valueOf(ch.current().n()), ch.samples(), ch.verdict().label(), num(ch.costChange())))).append('\n');
        }
        return b.toString();
    }

    /** Writes {@code <dir>/<baseName>.md/.html/.csv} atomically and returns the paths. */
    public List<Path> writeTo(Path dir, String baseName) {
        return Doc.writeAll(dir, baseName, markdown(), html(), csv());
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.valueOf(v) : "";
    }

    private static Doc build(Comparison c, List<CostImpact> impacts, String title) {
        Doc d = new Doc("wrinklefree regression report: " + title);
        int reg = c.withVerdict(Verdict.REGRESSED).size();
        int imp = c.withVerdict(Verdict.IMPROVED).size();
        d.p(String.format(Locale.ROOT, "%d benchmark%s compared: %d regressed, %d improved, %d unchanged. A verdict needs both a median change beyond %s %% and a two-sided Mann-Whitney U p-value below %s. The samples are the forks (each fork's median iteration) where both sides ran at least 2 forks, else the raw iterations; the n column says which.",
                c.changes().size(), c.changes().size() == 1 ? "" : "s", reg, imp, c.changes().size() - reg - imp,
                Fmt.compact(c.options().threshold() * 100, 4), Fmt.compact(c.options().alpha(), 4)));
        d.p("Baseline: " + String.join(", ", c.baselineSources()) + ". Current: " + String.join(", ", c.currentSources()) + ".");
        Table t = new Table("verdict", "benchmark", "params", "unit", "baseline median", "current median", "change", "p-value", "test", "n (base/cur)", "cost impact", "why");
        BarChart chart = new BarChart("Median change per benchmark (positive = better)", "%")
                .color(Verdict.REGRESSED.label(), "#e15759").color(Verdict.IMPROVED.label(), "#59a14f").color(Verdict.UNCHANGED.label(), "#bab0ac");
        List<BenchmarkChange> order = new ArrayList<>(c.withVerdict(Verdict.REGRESSED));
        order.addAll(c.withVerdict(Verdict.IMPROVED));
        order.addAll(c.withVerdict(Verdict.UNCHANGED));
        for (BenchmarkChange ch : order) {
            t.row(ch.verdict().label().toUpperCase(Locale.ROOT), ch.id().shortName() + " [" + ch.id().mode() + "]", ch.id().paramsText().replace(",", ", "), ch.unit(),
                    Fmt.sig(ch.baseline().median(), 4), Fmt.sig(ch.current().median(), 4), Fmt.pct(ch.medianChange()),
                    ch.test() == null ? "n/a" : Fmt.p(ch.test().pValue()), ch.test() == null ? "n/a" : ch.test().method().label(),
                    ch.baseline().n() + "/" + ch.current().n() + " " + ch.samples(),
                    Double.isNaN(ch.costChange()) ? "n/a" : Fmt.pct(ch.costChange()) + " $/1M tokens", ch.reason());
            double better = switch (ch.direction()) {
                case HIGHER_IS_BETTER -> ch.medianChange();
                case LOWER_IS_BETTER -> -ch.medianChange();
                case UNKNOWN -> Double.NaN;
            };
            String values = String.join(",", ch.id().params().values());
            chart.add(ch.id().shortName() + (values.isEmpty() ? "" : " " + values), ch.verdict().label(), better * 100, Fmt.pct(better));
        }
        d.h2("Benchmarks");
        d.table(t).chart(chart);
        d.p("Cost impact per benchmark: the change of $/1M tokens on any hardware if the per-token work scaled with this benchmark alone (cost is proportional to time per token).");
        if (!impacts.isEmpty()) {
            d.h2("Cost impact per hardware");
            Table it = new Table("hardware", "model", "config", "method", "price", "baseline $/1M", "current $/1M", "change");
            for (CostImpact ci : impacts) {
                it.row(ci.hardware(), ci.model(), ci.config(), ci.method(), ci.priceKind(), Fmt.usd(ci.baselineCostPerMillion()),
                        Fmt.usd(ci.currentCostPerMillion()), Fmt.pct(ci.change()));
            }
            d.table(it);
            d.p("A bandwidth-bound projection does not move when a kernel gets faster: the roofline caps it.");
        }
        if (!c.onlyInBaseline().isEmpty() || !c.onlyInCurrent().isEmpty()) {
            d.h2("Benchmarks in only one set");
            List<String> l = new ArrayList<>();
            for (BenchmarkId id : c.onlyInBaseline()) {
                l.add("only in baseline: " + id);
            }
            for (BenchmarkId id : c.onlyInCurrent()) {
                l.add("only in current: " + id);
            }
            d.bullets(l);
        }
        d.h2("How to read this report");
        d.p("change = current median / baseline median - 1, in the unit's own sense (ops/s up is better, us/op down is better). With few samples the test cannot reach significance (3 vs 3: smallest p = 0.1; 4 vs 4: 0.029), so such runs are reported as unchanged whatever the medians do; the 'why' column says so. A JVM keeps one speed for its life and JVMs differ by more than their iterations do, so with one fork per side a p-value on the iterations says whether those two JVMs differ, not whether the code did.");
        return d;
    }
}
