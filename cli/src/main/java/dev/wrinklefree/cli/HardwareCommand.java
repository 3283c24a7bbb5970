package dev.wrinklefree.cli;

import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.report.Fmt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wrinklefree hardware}: the priced hardware catalog. */
@Command(name = "hardware", mixinStandardHelpOptions = true,
        description = {"Lists the hardware catalog: prices (spot and on-demand) with their source and date, memory, cores and memory bandwidth.",
                "The built-in catalog holds the seed's RunPod prices of December 2024; --catalog adds or overrides entries."})
final class HardwareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--catalog", paramLabel = "FILE", description = "JSON or YAML catalog file that overrides or adds entries (schema_version 1).")
    Path catalog;

    @Option(names = "--sources", description = "Also print every entry's price and bandwidth source.")
    boolean sources;

    @Override
    public Integer call() {
        HardwareCatalog c = HardwareCatalog.load(catalog);
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"id", "name", "kind", "spot $/hr", "on-demand $/hr", "as of", "memory GB", "cores", "bandwidth GB/s"});
        for (Hardware h : c.all()) {
            String approx = h.pricesApproximate() ? "~" : "";
            rows.add(new String[] {h.id(), h.name(), h.kind().label(), approx + Fmt.usd(h.spotPricePerHourUsd()),
                    approx + Fmt.usd(h.onDemandPricePerHourUsd()), h.priceAsOf(), Fmt.compact(h.memoryGb(), 6),
                    h.cores() == null ? "?" : String.valueOf(h.cores()),
                    h.memoryBandwidthGBps() == null ? "?" : Fmt.compact(h.memoryBandwidthGBps(), 6)});
        }
        TextTable.print(out, rows);
        if (sources) {
            for (Hardware h : c.all()) {
                out.println();
                out.println(h.id() + " price: " + h.priceSource());
                if (h.bandwidthSource() != null) {
                    out.println(h.id() + " bandwidth: " + h.bandwidthSource());
                }
            }
        }
        out.println();
        out.println("catalog: " + String.join("; ", c.sources()));
        out.flush();
        return 0;
    }
}
