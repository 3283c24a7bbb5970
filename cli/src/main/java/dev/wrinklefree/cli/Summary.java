package dev.wrinklefree.cli;

import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.record.RunRecord;
import dev.wrinklefree.cost.report.Fmt;
import dev.wrinklefree.cost.throughput.Throughput;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The summary a run prints: where the files are, local tokens/s, and the cheapest figure per hardware. */
final class Summary {
    private Summary() {
    }

    static void print(PrintWriter out, Analysis a, Path record, List<Path> reports) {
        out.println("record:  " + Results.show(record) + " (" + a.records().size() + " priced figures)");
        for (Path p : reports) {
            out.println("report:  " + Results.show(p));
        }
        out.println();
        out.println("tokens/s on this machine:");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"model", "format", "backend", "threads", "batch", "tok/s", "method"});
        for (Throughput t : a.local()) {
            rows.add(new String[] {String.valueOf(t.model()), String.valueOf(t.format()), String.valueOf(t.backend()),
                    String.valueOf(t.threads()), String.valueOf(t.batch()), Fmt.sig(t.tokensPerSecond(), 4), t.method().label() + (t.method().projected() ? " (projected)" : " (measured)")});
        }
        TextTable.print(out, rows);
        for (var r : a.rooflines()) {
            out.printf(java.util.Locale.ROOT, "  %s %s: %.0f %% of this machine's memory roofline (%.3f GB per token at %.2f GB/s, %s)%n",
                    r.figure().model(), r.figure().configLabel(), 100 * r.fraction(), r.bytesPerToken() / 1e9, r.readBytesPerSecond() / 1e9, r.readBenchmark());
        }
        if (!a.prompt().isEmpty()) {
            out.println();
            out.println("prompt tokens/s on this machine (prefill; not priced):");
            List<String[]> pr = new ArrayList<>();
            pr.add(new String[] {"model", "format", "backend", "threads", "tok/s"});
            for (Throughput t : a.prompt()) {
                pr.add(new String[] {String.valueOf(t.model()), String.valueOf(t.format()), String.valueOf(t.backend()),
                        String.valueOf(t.threads()), Fmt.sig(t.tokensPerSecond(), 4)});
            }
            TextTable.print(out, pr);
        }
        out.println();
        String kind = a.options().headlinePrice().label();
        out.println("cheapest per hardware ($/1M tokens, " + kind + " price; 100 / 70 / 50 % utilization):");
        List<String[]> cheap = new ArrayList<>();
        cheap.add(new String[] {"hardware", "model", "config", "tok/s", "$/1M", "@70%", "@50%", "how"});
        for (var h : a.hardware()) {
            a.records().stream().filter(r -> r.hardware().equals(h.id()) && r.fitsInMemory())
                    .min(Comparator.comparingDouble(RunRecord::costPerMillionTokens))
                    .ifPresent(r -> cheap.add(new String[] {r.hardware(), r.model(), r.format() + "/" + r.backend(), Fmt.sig(r.tokensPerSecond(), 4),
                            Fmt.usd(r.costPerMillionTokens()), Fmt.usd(r.costPerMillionAt70pct()), Fmt.usd(r.costPerMillionAt50pct()),
                            r.measured() ? "measured" : "projected"}));
        }
        TextTable.print(out, cheap);
        for (PriceKind k : PriceKind.values()) {
            a.cheapest(k.label()).ifPresent(r -> out.println("cheapest overall (" + k.label() + "): " + r.model() + " on " + r.hardware()
                    + ", " + r.format() + "/" + r.backend() + ": " + Fmt.usd(r.costPerMillion(k.label())) + " per 1M tokens"
                    + (r.measured() ? " (measured)" : " (projected)")));
        }
        for (String w : a.warnings()) {
            out.println("warning: " + w);
        }
        out.flush();
    }
}
