package dev.wrinklefree.cost.report;

import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.UtilizationScenario;
import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.record.MachineInfo;
import dev.wrinklefree.cost.record.RunRecord;
import dev.wrinklefree.cost.throughput.KernelFigure;
import dev.wrinklefree.cost.throughput.LocalRoofline;
import dev.wrinklefree.cost.throughput.Throughput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The cost report of one run, as Markdown, self-contained HTML (inline SVG charts) and CSV (one row per
 * record). States the machine, what was measured and what projected, the cheapest configuration, and every
 * price's source and date.
 */
public final class CostReport {
    private final Analysis a;
    private final Doc doc;

    private CostReport(Analysis a) {
        this.a = a;
        this.doc = build(a);
    }

    /** Renders the report of {@code analysis} (in memory). */
    public static CostReport of(Analysis analysis) {
        return new CostReport(analysis);
    }

    /** The Markdown text. */
    public String markdown() {
        return doc.markdown();
    }

    /** The HTML page. */
    public String html() {
        return doc.html();
    }

    /** One row per record: the seed's fields, then method, prices of both kinds and every scenario. */
    public String csv() {
        List<UtilizationScenario> sc = a.options().scenarios();
        List<String> h = new ArrayList<>(List.of("run_id", "model", "quantization", "hardware", "hardware_cost_per_hour",
                "tokens_per_second", "ttft_p50_ms", "latency_p99_ms", "memory_usage_gb", "cost_per_million_tokens",
                "cost_per_million_at_70pct", "cost_per_million_at_50pct", "price_kind", "measured", "throughput_method",
                "format", "backend", "threads", "batch", "bound", "fits_in_memory", "price_as_of"));
        for (PriceKind k : PriceKind.values()) {
            h.add(k.label().replace('-', '_') + "_price_per_hour");
            for (UtilizationScenario s : sc) {
                h.add(k.label().replace('-', '_') + "_cost_per_million_" + s.name());
            }
        }
        StringBuilder b = new StringBuilder(String.join(",", h)).append('\n');
        for (RunRecord r : a.records()) {
            List<String> c = new ArrayList<>(List.of(r.runId(), r.model(), r.quantization(), r.hardware(), num(r.hardwareCostPerHour()),
                    num(r.tokensPerSecond()), "", "", r.memoryUsageGb() == null ? "" : num(r.memoryUsageGb()), num(r.costPerMillionTokens()),
                    num(r.costPerMillionAt70pct()), num(r.costPerMillionAt50pct()), r.priceKind(), String.valueOf(r.measured()),
                    r.throughputMethod(), str(r.format()), str(r.backend()), String.valueOf(r.threads()), String.valueOf(r.batch()),
                    r.projection() == null ? "" : r.projection().bound(), String.valueOf(r.fitsInMemory()), r.priceAsOf()));
            for (PriceKind k : PriceKind.values()) {
                RunRecord.PriceCosts pc = r.costs().get(k.label());
                c.add(num(pc.pricePerHourUsd()));
                for (UtilizationScenario s : sc) {
                    c.add(num(pc.byUtilization().get(s.name())));
                }
            }
            b.append(String.join(",", c.stream().map(Fmt::csv).toList())).append('\n');
        }
        return b.toString();
    }

    /**
     * Writes {@code <dir>/<baseName>.md}, {@code .html} and {@code .csv}, each atomically.
     *
     * @return the three paths, in that order
     */
    public List<Path> writeTo(Path dir, String baseName) {
        return Doc.writeAll(dir, baseName, markdown(), html(), csv());
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.valueOf(v) : "";
    }

    private static String str(String s) {
        return s == null ? "" : s;
    }

    private static Doc build(Analysis a) {
        var rf = a.runFile();
        Doc d = new Doc("wrinklefree cost report: " + rf.runId());
        MachineInfo m = rf.machine();
        d.p("Run " + rf.runId() + " at " + rf.timestamp() + ". Benchmarks ran on: " + m.cpuModel() + ", " + m.logicalCores()
                + " logical cores, " + m.os() + ", JDK " + m.jdk() + ".");
        String measuredOn = a.options().measuredOn();
        d.p(measuredOn == null
                ? "This machine is not a catalog entry, so every cost below is a PROJECTION onto catalog hardware (roofline). Pass --measured-on ID when the benchmarks ran on a catalog machine."
                : "This machine is catalog entry '" + measuredOn + "': figures priced on it are measured; figures on other hardware are projections.");
        d.p("Inputs: " + String.join(", ", rf.inputs()) + ". Headline price: " + a.options().headlinePrice().label()
                + " (the seed's advice: measure on on-demand machines, use spot prices as cost estimates).");

        d.h2("Cheapest configuration");
        List<String> cheap = new ArrayList<>();
        for (PriceKind k : PriceKind.values()) {
            Optional<RunRecord> c = a.cheapest(k.label());
            c.ifPresent(r -> cheap.add(String.format(Locale.ROOT, "%s: %s on %s, %s/%s/t%d: %s per 1M tokens at 100 %% utilization (%s at 70 %%, %s at 50 %%), %s tok/s, %s",
                    k.label(), r.model(), r.hardware(), r.format(), r.backend(), r.threads(), Fmt.usd(r.costPerMillion(k.label())),
                    Fmt.usd(r.costs().get(k.label()).byUtilization().getOrDefault("steady-api", Double.NaN)),
                    Fmt.usd(r.costs().get(k.label()).byUtilization().getOrDefault("interactive", Double.NaN)),
                    Fmt.sig(r.tokensPerSecond(), 4), r.measured() ? "measured" : "projected (" + r.throughputMethod() + ")")));
        }
        if (cheap.isEmpty()) {
            cheap.add("no priced configuration fits in any selected hardware's memory");
        }
        d.bullets(cheap);

        d.h2("Throughput on this machine");
        Table lt = new Table("model", "format", "backend", "threads", "batch", "tokens/s", "method", "iterations", "spread");
        BarChart tc = new BarChart("Tokens per second on this machine, by format and backend", "tok/s");
        for (Throughput t : a.local()) {
            String spread = t.statistics() != null
                    ? "min " + Fmt.sig(t.statistics().min(), 4) + ", max " + Fmt.sig(t.statistics().max(), 4)
                    : "slowest-fastest inputs " + Fmt.sig(t.tokensPerSecondLow(), 4) + " - " + Fmt.sig(t.tokensPerSecondHigh(), 4);
            lt.row(str(t.model()), str(t.format()), str(t.backend()), String.valueOf(t.threads()), String.valueOf(t.batch()),
                    Fmt.sig(t.tokensPerSecond(), 4), t.method().projected() ? t.method().label() + " (projected)" : t.method().label() + " (measured)",
                    t.statistics() == null ? "-" : String.valueOf(t.statistics().n()), spread);
            tc.add(str(t.model()) + " " + str(t.format()) + " t" + t.threads() + (t.method().projected() ? " (proj.)" : ""),
                    str(t.backend()), t.tokensPerSecond(), Fmt.sig(t.tokensPerSecond(), 4));
        }
        d.table(lt).chart(tc);
        d.p("Figures are medians over JMH measurement iterations (all forks). A kernel projection sums the model's per-token matmuls at the measured kernel speeds; it leaves out attention, norms and sampling, so it is an upper bound.");
        if (!a.rooflines().isEmpty()) {
            Table rt = new Table("model", "config", "tokens/s (measured)", "GB read per token", "read GB/s (benchmark)", "roofline tokens/s", "fraction of roofline");
            for (LocalRoofline r : a.rooflines()) {
                Throughput t = r.figure();
                rt.row(str(t.model()), t.configLabel(), Fmt.sig(t.tokensPerSecond(), 4), Fmt.sig(r.bytesPerToken() / 1e9, 4),
                        Fmt.sig(r.readBytesPerSecond() / 1e9, 4) + " (" + r.readBenchmark() + ")", Fmt.sig(r.rooflineTokensPerSecond(), 4),
                        String.format(Locale.ROOT, "%.0f %%", 100 * r.fraction()));
            }
            d.p("Measured decode against this machine's memory roofline: the bytes a decode step reads per token (every active weight, the head, the KV cache at the benchmark's context) streamed at the best memory read of this run at the same thread count.");
            d.table(rt);
        }
        if (!a.prompt().isEmpty()) {
            d.h2("Prompt processing on this machine");
            Table pt = new Table("model", "format", "backend", "threads", "prompt tokens/s", "iterations", "spread");
            for (Throughput t : a.prompt()) {
                pt.row(str(t.model()), str(t.format()), str(t.backend()), String.valueOf(t.threads()), Fmt.sig(t.tokensPerSecond(), 4),
                        t.statistics() == null ? "-" : String.valueOf(t.statistics().n()),
                        t.statistics() == null ? "-" : "min " + Fmt.sig(t.statistics().min(), 4) + ", max " + Fmt.sig(t.statistics().max(), 4));
            }
            d.table(pt);
            d.p("Prefill: a prompt evaluated in batches (the GEMM path), one op = one prompt token. It sets the time to first token; it is not generation, so no cost per generated token is derived from it.");
        }

        if (!a.kernels().isEmpty()) {
            d.h2("Kernels");
            boolean clock = !Double.isNaN(a.options().clockGhz());
            List<String> kh = new ArrayList<>(List.of("shape MxK", "format", "backend", "threads", "batch", "residency", "ops/s (median)", "Gweights/s", "GB/s (packed weights)", "iterations"));
            if (clock) {
                kh.add("cycles / 32 weights");
            }
            Table kt = new Table(kh.toArray(String[]::new));
            for (KernelFigure k : a.kernels()) {
                List<String> row = new ArrayList<>(List.of(k.shape(), k.format().label(), str(k.backend()), String.valueOf(k.threads()),
                        String.valueOf(k.batch()), str(k.residency()), Fmt.sig(k.opsPerSecond().median(), 4), Fmt.sig(k.weightsPerSecond() / 1e9, 4),
                        Fmt.sig(k.bytesPerSecond() / 1e9, 4), String.valueOf(k.opsPerSecond().n())));
                if (clock) {
                    row.add(Fmt.sig(k.cyclesPer32Weights(a.options().clockGhz()), 3));
                }
                kt.row(row);
            }
            d.table(kt);
        }

        List<UtilizationScenario> sc = a.options().scenarios();
        for (PriceKind k : PriceKind.values()) {
            d.h2("Cost per 1M tokens, " + k.label() + " prices");
            List<String> hd = new ArrayList<>(List.of("hardware", "model", "config", "measured/projected", "tokens/s", "bound", "$/hr"));
            for (UtilizationScenario s : sc) {
                hd.add("$/1M @ " + s.percentLabel() + " (" + s.name() + ")");
            }
            hd.add("fits");
            Table ct = new Table(hd.toArray(String[]::new));
            List<RunRecord> sorted = a.records().stream().sorted(Comparator.comparing(RunRecord::hardware)
                    .thenComparingDouble(r -> r.costPerMillion(k.label()))).toList();
            for (RunRecord r : sorted) {
                RunRecord.PriceCosts pc = r.costs().get(k.label());
                List<String> row = new ArrayList<>(List.of(r.hardware(), r.model(), r.format() + "/" + r.backend() + "/t" + threadsOf(r),
                        r.measured() ? "measured" : "projected: " + r.throughputMethod(), Fmt.sig(r.tokensPerSecond(), 4),
                        r.projection() == null ? "-" : r.projection().bound(), Fmt.usd(pc.pricePerHourUsd())));
                for (UtilizationScenario s : sc) {
                    row.add(Fmt.usd(pc.byUtilization().get(s.name())));
                }
                row.add(r.fitsInMemory() ? "yes" : "NO");
                ct.row(row);
            }
            d.table(ct);
            BarChart cc = new BarChart("Cheapest $/1M tokens per hardware and utilization (" + k.label() + ")", "USD per 1M tokens");
            for (Hardware h : a.hardware()) {
                a.records().stream().filter(r -> r.hardware().equals(h.id()) && r.fitsInMemory())
                        .min(Comparator.comparingDouble(r -> r.costPerMillion(k.label())))
                        .ifPresent(r -> {
                            for (UtilizationScenario s : sc) {
                                double v = r.costs().get(k.label()).byUtilization().get(s.name());
                                cc.add(h.id() + " (" + r.format() + "/" + r.backend() + ")", s.percentLabel() + " " + s.name(), v, Fmt.usd(v));
                            }
                        });
            }
            d.chart(cc);
        }

        d.h2("Prices and their sources");
        Table pt = new Table("hardware", "name", "spot $/hr", "on-demand $/hr", "approximate", "as of", "price source", "memory GB", "cores", "bandwidth GB/s", "bandwidth source");
        for (Hardware h : a.hardware()) {
            pt.row(h.id(), h.name(), Fmt.usd(h.spotPricePerHourUsd()), Fmt.usd(h.onDemandPricePerHourUsd()), h.pricesApproximate() ? "yes (~)" : "no",
                    h.priceAsOf(), h.priceSource(), Fmt.compact(h.memoryGb(), 6), h.cores() == null ? "?" : String.valueOf(h.cores()),
                    h.memoryBandwidthGBps() == null ? "?" : Fmt.compact(h.memoryBandwidthGBps(), 6), str(h.bandwidthSource()));
        }
        d.table(pt);
        d.p("Catalog: " + String.join("; ", rf.catalogSources()) + ". Prices change often: verify current rates before relying on them.");

        d.h2("Assumptions");
        var ro = a.options().roofline();
        d.bullets(List.of(
                "Cost formulas (seed): tokens_per_hour = tokens_per_second x 3600; cost_per_million = hourly_cost / tokens_per_hour x 1,000,000; cost_at_utilization = cost_per_million / utilization. Money is rounded only for display.",
                "Roofline projection: tokens/s = min(local tokens/s per thread x target cores x " + Fmt.sig(ro.coreSpeedRatio(), 3)
                        + ", bandwidth x " + Fmt.sig(ro.bandwidthEfficiency(), 3) + " / bytes per token). Efficiency: " + ro.efficiencySource()
                        + ". Core speed: " + ro.coreSpeedSource() + ".",
                "Bytes per token: every active linear weight once (in the benchmark's format), the LM head in " + a.options().headFormat().label()
                        + ", and the KV cache (f16) of " + a.options().contextTokens() + " tokens of context; a decode benchmark that states its own head type and context (parameters head, context) uses those.",
                "GPU entries get the bandwidth bound only: the measured kernels are CPU kernels.",
                "Memory usage is estimated from the model's shapes (weights, embedding, head, KV cache), not measured.",
                "TTFT and request latency need a load test against a server; JMH runs leave them empty (null)."));
        if (!a.warnings().isEmpty()) {
            d.h2("Warnings");
            d.bullets(a.warnings());
        }
        d.h2("How to read this report");
        d.p("Lower $/1M tokens is better. 'measured' means tokens/s was measured end to end on that hardware; 'projected' means it was computed, and the record in results/raw/" + rf.runId()
                + ".json lists every assumption and the benchmarks behind it. Compare configurations within one run; timings on shared or virtual machines are noisy.");
        return d;
    }

    private static int threadsOf(RunRecord r) {
        return r.statistics().local() == null ? r.threads() : r.statistics().local().threads();
    }
}
