package dev.wrinklefree.cli;

import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.analysis.CostAnalysis;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.record.MachineInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wrinklefree report}: JMH JSON + catalog -> run records and reports. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Turns JMH result files (-rf json) into priced run records (results/raw/<run-id>.json) and a report (results/reports/<run-id>.md, .html, .csv).",
                "Decode benchmarks give measured tokens/s; kernel benchmarks are projected bottom-up onto the model's matmuls; both are projected onto every catalog entry by a memory-bandwidth roofline."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "JMH_JSON", arity = "1..*", description = "JMH result files (-rf json).")
    List<Path> files;

    @Mixin
    CostOptions cost = new CostOptions();

    @Option(names = "--run-id", paramLabel = "ID", description = "Run id, the record file's name (default: UTC date-time and model).")
    String runId;

    @Option(names = "--results", paramLabel = "DIR", description = "Results folder holding raw/ and reports/ (default: results/ of the checkout).")
    Path results;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        err.println("report: reading " + files.size() + " JMH file" + (files.size() == 1 ? "" : "s") + " ...");
        err.flush();
        JmhResultSet rs = JmhReader.read(files);
        var options = cost.toOptions();
        var catalog = cost.catalog();
        Instant now = Instant.now();
        String id = runId != null ? runId : Results.runId(now, options.models().getFirst());
        Path dir = results != null ? results.toAbsolutePath() : Results.defaultDir();
        Path raw = dir.resolve("raw");
        if (Files.exists(raw.resolve(id + ".json"))) {
            throw new IllegalArgumentException("run " + id + " already exists in " + Results.show(raw) + "; pass another --run-id");
        }
        err.println("report: pricing " + rs.size() + " benchmark result" + (rs.size() == 1 ? "" : "s") + " ...");
        err.flush();
        Analysis a = CostAnalysis.run(rs, catalog, cost.calibrated(options, rs), id, now, MachineInfo.detect());
        Written w = write(a, dir);
        Summary.print(out, a, w.record(), w.reports());
        return 0;
    }

    /** Paths written for one run. */
    record Written(Path record, List<Path> reports) {
    }

    /** Renders everything in memory first, then writes each file atomically: an error leaves nothing half-written. */
    static Written write(Analysis a, Path resultsDir) {
        var report = dev.wrinklefree.cost.report.CostReport.of(a);
        String md = report.markdown();
        if (md.isEmpty()) {
            throw new IllegalStateException("empty report");
        }
        Path record = a.runFile().writeTo(resultsDir.resolve("raw"));
        List<Path> reports = report.writeTo(resultsDir.resolve("reports"), a.runFile().runId());
        return new Written(record, reports);
    }
}
