package dev.wrinklefree.cli;

import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.analysis.CostAnalysis;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.record.MachineInfo;
import dev.wrinklefree.cost.regression.BenchmarkChange;
import dev.wrinklefree.cost.regression.Comparison;
import dev.wrinklefree.cost.regression.CostImpact;
import dev.wrinklefree.cost.regression.RegressionOptions;
import dev.wrinklefree.cost.regression.Verdict;
import dev.wrinklefree.cost.report.Fmt;
import dev.wrinklefree.cost.report.RegressionReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wrinklefree compare}: baseline vs current JMH results -> regression report. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compares two sets of JMH results benchmark by benchmark (identity: benchmark, mode, params) and writes a regression report (.md, .html, .csv).",
                "A verdict needs both a median change beyond --threshold and a two-sided Mann-Whitney U p-value below --alpha, on the forks (each fork's median iteration) where both sides ran 2 or more, else on the raw iterations.",
                "Exit codes: 0 done, 1 or 2 error, 3 regression found with --fail-on-regression."})
final class CompareCommand implements Callable<Integer> {
    /** Exit code when --fail-on-regression is given and a benchmark regressed. */
    static final int EXIT_REGRESSION = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--baseline", paramLabel = "JMH_JSON", arity = "1..*", required = true, description = "Baseline JMH result files.")
    List<Path> baseline;

    @Option(names = "--current", paramLabel = "JMH_JSON", arity = "1..*", required = true, description = "Current JMH result files.")
    List<Path> current;

    @Option(names = "--threshold", paramLabel = "PERCENT", defaultValue = "5", description = "Median change, in percent, a verdict needs (default: ${DEFAULT-VALUE}).")
    double thresholdPercent;

    @Option(names = "--alpha", paramLabel = "P", defaultValue = "0.05", description = "Significance level for the p-value (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--fail-on-regression", description = "Exit with code 3 when any benchmark regressed.")
    boolean failOnRegression;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the report (default: results/reports of the checkout).")
    Path outDir;

    @Option(names = "--name", paramLabel = "NAME", description = "Report file name without extension (default: compare-<UTC date-time>).")
    String name;

    @Mixin
    CostOptions cost = new CostOptions();

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        RegressionOptions ro = new RegressionOptions(thresholdPercent / 100.0, alpha);
        err.println("compare: reading " + baseline.size() + " baseline and " + current.size() + " current file(s) ...");
        err.flush();
        JmhResultSet b = JmhReader.read(baseline);
        JmhResultSet c = JmhReader.read(current);
        Comparison cmp = Comparison.compare(b, c, ro);
        List<CostImpact> impacts = new ArrayList<>();
        String impactNote = null;
        try {
            // One efficiency for both sides (from the current results when calibrated from the run), so the cost
            // impact reflects the benchmarks, not a moved assumption.
            var o = cost.calibrated(cost.toOptions(), c);
            var cat = cost.catalog();
            Instant now = Instant.now();
            Analysis ab = CostAnalysis.run(b, cat, o, "baseline", now, MachineInfo.detect());
            Analysis ac = CostAnalysis.run(c, cat, o, "current", now, MachineInfo.detect());
            impacts = CostImpact.between(ab, ac, o.headlinePrice().label());
        } catch (InputException e) {
            impactNote = "no per-hardware cost impact: " + e.getMessage();
        }
        String base = name != null ? name : "compare-" + Results.runId(Instant.now(), null);
        if (!base.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("--name must be letters, digits, '.', '_' or '-', got '" + base + "'");
        }
        Path dir = outDir != null ? outDir.toAbsolutePath() : Results.defaultDir().resolve("reports");
        List<Path> written = RegressionReport.of(cmp, impacts, base).writeTo(dir, base);
        for (Path p : written) {
            out.println("report:  " + Results.show(p));
        }
        int reg = cmp.withVerdict(Verdict.REGRESSED).size();
        int imp = cmp.withVerdict(Verdict.IMPROVED).size();
        out.printf("%d compared: %d regressed, %d improved, %d unchanged (threshold %s %%, alpha %s)%n", cmp.changes().size(), reg, imp,
                cmp.changes().size() - reg - imp, Fmt.compact(thresholdPercent, 4), Fmt.compact(alpha, 4));
        for (BenchmarkChange ch : cmp.changes()) {
            if (ch.verdict() != Verdict.UNCHANGED) {
                out.println("  " + ch.verdict().label().toUpperCase(java.util.Locale.ROOT) + " " + ch.id().label() + ": " + ch.reason()
                        + (Double.isNaN(ch.costChange()) ? "" : "; cost " + Fmt.pct(ch.costChange())));
            }
        }
        if (!cmp.onlyInBaseline().isEmpty() || !cmp.onlyInCurrent().isEmpty()) {
            out.println("  only in baseline: " + cmp.onlyInBaseline().size() + ", only in current: " + cmp.onlyInCurrent().size());
        }
        if (impactNote != null) {
            out.println("  " + impactNote);
        }
        out.flush();
        return failOnRegression && cmp.hasRegression() ? EXIT_REGRESSION : 0;
    }
}
