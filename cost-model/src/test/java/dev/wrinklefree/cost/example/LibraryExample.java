package dev.wrinklefree.cost.example;

import dev.wrinklefree.cost.CostEstimate;
import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.UtilizationScenario;
import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.analysis.AnalysisOptions;
import dev.wrinklefree.cost.analysis.CostAnalysis;
import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.record.MachineInfo;
import dev.wrinklefree.cost.report.CostReport;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** The README's "use as a library" example; LibraryExampleTest runs it and checks the README quotes it exactly. */
public final class LibraryExample {
    private LibraryExample() {
    }

    public static CostEstimate run(Path jmhJson, Path outDir) {
        // README:begin
        // Price a throughput you measured yourself: the seed's formulas, every utilization scenario.
        HardwareCatalog catalog = HardwareCatalog.builtIn();   // or HardwareCatalog.load(Path.of("my-prices.yaml"))
        Hardware a40 = catalog.get("a40");
        CostEstimate spot = CostEstimate.of(PriceKind.SPOT, a40.pricePerHourUsd(PriceKind.SPOT), 150.5,
                UtilizationScenario.defaults());
        double perMillion = spot.costPerMillionTokensUsd();     // 0.7198... USD (unrounded)
        double bursty = spot.atScenario("interactive");         // 1.4396... USD at 50 % utilization

        // Or hand it JMH results (-rf json): decode benchmarks are priced as measured, kernel
        // benchmarks are projected bottom-up, and both are projected onto every catalog entry.
        JmhResultSet results = JmhReader.read(List.of(jmhJson));
        Analysis analysis = CostAnalysis.run(results, catalog, AnalysisOptions.defaults(), "my-run",
                Instant.now(), MachineInfo.detect());
        analysis.runFile().writeTo(outDir.resolve("raw"));                   // raw/my-run.json
        CostReport.of(analysis).writeTo(outDir.resolve("reports"), "my-run"); // .md, .html, .csv
        // README:end
        if (perMillion <= 0 || bursty <= perMillion) {
            throw new AssertionError("costs out of order");
        }
        return spot;
    }
}
