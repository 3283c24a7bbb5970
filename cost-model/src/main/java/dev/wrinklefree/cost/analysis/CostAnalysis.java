package dev.wrinklefree.cost.analysis;

import dev.wrinklefree.cost.CostEstimate;
import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.UtilizationScenario;
import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.model.ByteBudget;
import dev.wrinklefree.cost.model.ModelCatalog;
import dev.wrinklefree.cost.model.ModelSpec;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.record.MachineInfo;
import dev.wrinklefree.cost.record.RunFile;
import dev.wrinklefree.cost.record.RunRecord;
import dev.wrinklefree.cost.throughput.DecodeThroughputs;
import dev.wrinklefree.cost.throughput.KernelFigure;
import dev.wrinklefree.cost.throughput.KernelProjection;
import dev.wrinklefree.cost.throughput.LocalRoofline;
import dev.wrinklefree.cost.throughput.Method;
import dev.wrinklefree.cost.throughput.Roofline;
import dev.wrinklefree.cost.throughput.Throughput;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * JMH results + hardware catalog -> priced run records.
 *
 * <p>Tokens/s on this machine come from decode benchmarks (measured) and from kernel benchmarks (projected
 * bottom-up for each of {@link AnalysisOptions#models()}). Each figure is priced on the machine it ran on
 * when that machine is a catalog entry ({@link AnalysisOptions#measuredOn()}), and projected by the
 * roofline onto every other selected catalog entry.
 */
public final class CostAnalysis {
    private CostAnalysis() {
    }

    /**
     * Runs the analysis. Computes everything in memory; writes nothing.
     *
     * @param runId id of the run (file name of the record file), letters, digits, '.', '_', '-'
     * @param timestamp when the run happened
     * @param machine the machine the benchmarks ran on
     * @throws InputException when the results are empty or hold nothing that gives tokens/s
     * @throws IllegalArgumentException when an option names unknown hardware or models
     */
    public static Analysis run(JmhResultSet results, HardwareCatalog catalog, AnalysisOptions o, String runId,
                               Instant timestamp, MachineInfo machine) {
        if (runId == null || !runId.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("run id must be letters, digits, '.', '_' or '-', got '" + runId + "'");
        }
        if (results.isEmpty()) {
            throw new InputException("no JMH results to analyse (empty result set)");
        }
        List<Hardware> targets = new ArrayList<>();
        for (String id : o.hardware().isEmpty() ? catalog.ids() : o.hardware()) {
            targets.add(catalog.get(id));
        }
        Hardware measuredOn = o.measuredOn() == null ? null : catalog.get(o.measuredOn());
        List<ModelSpec> models = o.models().stream().map(ModelCatalog::get).toList();

        List<String> warnings = new ArrayList<>();
        List<Throughput> local = new ArrayList<>(DecodeThroughputs.from(results, o.decodeMapping(), o.defaultModel()));
        List<Throughput> prompt = DecodeThroughputs.prompt(results, o.decodeMapping(), o.defaultModel());
        List<KernelFigure> kernels = KernelFigure.from(results, o.kernelMapping());
        for (ModelSpec m : models) {
            local.addAll(KernelProjection.project(kernels, m, ByteBudget.of(WeightFormat.I2_S).withHeadFormat(o.headFormat())
                    .withContextTokens(o.contextTokens()), o.kernelMapping().preferredResidency()));
        }
        if (local.isEmpty()) {
            throw new InputException("none of the " + results.size() + " benchmarks in " + String.join(", ", results.sources())
                    + " gives tokens per second: no decode benchmark (name matching '" + o.decodeMapping().benchmarkPattern()
                    + "') and no kernel benchmark (name matching '" + o.kernelMapping().benchmarkPattern() + "')"
                    + (prompt.isEmpty() ? "" : "; its " + prompt.size() + " prefill result" + (prompt.size() == 1 ? "" : "s")
                    + " measure prompt processing, which is not priced as generated tokens"));
        }
        String jdk = results.results().stream().map(JmhResult::jdkVersion).filter(j -> j != null).findFirst().orElse(null);
        String vm = results.results().stream().map(JmhResult::vmName).filter(j -> j != null).findFirst().orElse(null);
        MachineInfo m = jdk == null ? machine : machine.withJdk(jdk + (vm == null ? "" : " (" + vm + ")"));

        List<RunRecord> records = new ArrayList<>();
        List<LocalRoofline> rooflines = new ArrayList<>();
        Map<Integer, LocalRoofline.Read> reads = LocalRoofline.bestReads(results);
        String ts = timestamp.toString();
        List<ByteBudget> budgets = new ArrayList<>();
        for (int i = 0; i < local.size(); i++) {
            Throughput l = local.get(i);
            ModelSpec spec = ModelCatalog.find(l.model());
            ByteBudget budget = budget(l, o, warnings);
            budgets.add(budget);
            if (spec == null || budget == null || l.method() != Method.MEASURED_DECODE) {
                continue;
            }
            double bytesPerToken = (budget.bodyBytesPerToken(spec) + budget.headBytesPerToken(spec)) / l.batch() + budget.kvBytesPerToken(spec);
            Optional<LocalRoofline> lr = LocalRoofline.of(l, bytesPerToken, reads);
            if (lr.isPresent()) {
                LocalRoofline x = lr.get();
                Throughput noted = l.withNote(String.format(java.util.Locale.ROOT,
                        "%.0f %% of this machine's memory roofline: %.3f GB read per token (%s body, %s head, KV cache of %d tokens) at %.2f GB/s"
                                + " (%s, the best read of this run at %d thread%s) allows %.2f tok/s",
                        100 * x.fraction(), x.bytesPerToken() / 1e9, budget.bodyFormat().label(), budget.headFormat().label(),
                        budget.contextTokens(), x.readBytesPerSecond() / 1e9, x.readBenchmark(), l.threads(), l.threads() == 1 ? "" : "s",
                        x.rooflineTokensPerSecond()));
                local.set(i, noted);
                rooflines.add(new LocalRoofline(noted, x.bytesPerToken(), x.readBytesPerSecond(), x.readBenchmark()));
            }
        }
        for (int i = 0; i < local.size(); i++) {
            Throughput l = local.get(i);
            ModelSpec spec = ModelCatalog.find(l.model());
            ByteBudget budget = budgets.get(i);
            String why = spec == null ? "model '" + l.model() + "' is not in the model catalog"
                    : budget == null ? "weight format '" + l.format() + "' is unknown" : null;
            if (measuredOn != null) {
                Double error = null;
                if (why == null && measuredOn.memoryBandwidthGBps() != null && (measuredOn.kind() == Hardware.Kind.GPU || measuredOn.cores() != null)) {
                    Roofline.Projection self = Roofline.project(l, spec, budget, measuredOn, o.roofline());
                    error = self.throughput().tokensPerSecond() / l.tokensPerSecond() - 1.0;
                }
                records.add(record(runId, ts, l, measuredOn, spec, budget, o, null, error, null, stepLatency(results, l)));
            }
            for (Hardware h : targets) {
                if (measuredOn != null && h.id().equals(measuredOn.id())) {
                    continue;
                }
                if (why != null) {
                    warnings.add("not projected onto " + h.id() + ": " + l.configLabel() + " (" + l.method().label() + "): " + why);
                    continue;
                }
                if (h.kind() == Hardware.Kind.GPU && records.stream().anyMatch(r -> r.hardware().equals(h.id())
                        && Objects.equals(r.model(), l.model()) && Objects.equals(r.format(), l.format()) && r.batch() == l.batch())) {
                    continue; // one bandwidth roofline per model and format is enough on a GPU
                }
                Roofline.Projection p;
                try {
                    p = Roofline.project(l, spec, budget, h, o.roofline());
                } catch (IllegalArgumentException e) {
                    warnings.add("not projected: " + e.getMessage());
                    continue;
                }
                records.add(record(runId, ts, p.throughput(), h, spec, budget, o, p, null, l, null));
            }
        }
        Map<String, Double> scen = new LinkedHashMap<>();
        for (UtilizationScenario s : o.scenarios()) {
            scen.put(s.name(), s.utilization());
        }
        RunFile file = new RunFile(RunFile.SCHEMA_VERSION, runId, ts, "wrinklefree cost-model", m, results.sources(),
                catalog.sources(), scen, records, prompt.stream().map(t -> new RunFile.PromptFigure(t.model(), t.format(), t.backend(), t.threads(), t.tokensPerSecond(),
                t.statistics(), t.basis().stream().map(BenchmarkId::toString).toList(), t.notes())).toList());
        List<Hardware> priced = new ArrayList<>(targets);
        if (measuredOn != null && !priced.contains(measuredOn)) {
            priced.add(measuredOn);
        }
        return new Analysis(file, local, prompt, rooflines, kernels, priced, o, warnings);
    }

    /**
     * Percentiles of single decode steps in ms when {@code t} is a measured decode figure from a sample-mode
     * run (JMH keeps every sample's time in a histogram), else {@code null}.
     */
    static Map<String, Double> stepLatency(JmhResultSet results, Throughput t) {
        if (t.method() != Method.MEASURED_DECODE || t.basis().size() != 1) {
            return null;
        }
        JmhResult r = results.get(t.basis().getFirst());
        if (r == null || !r.primary().hasHistogram() || !r.primary().unit().isTimePerOp()) {
            return null;
        }
        double toMs = r.primary().unit().secondsPerTimeUnit() * 1000.0;
        var h = r.primary().sampleHistogram();
        if (h.getTotalCount() == 0) {
            return null;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (double q : new double[] {50, 90, 99, 99.9}) {
            m.put("p" + (q == Math.rint(q) ? String.valueOf((int) q) : String.valueOf(q)), h.getValueAtPercentile(q) * toMs);
        }
        m.put("max", h.getMaxValue() * toMs);
        return m;
    }

    /**
     * The bytes a figure's decode step reads: its format's body, the head type and context its benchmark stated
     * (else the options'); {@code null} when the format is unknown.
     */
    private static ByteBudget budget(Throughput l, AnalysisOptions o, List<String> warnings) {
        WeightFormat format = parseFormat(l.format());
        if (format == null) {
            return null;
        }
        WeightFormat head = l.headFormat() == null ? o.headFormat() : parseFormat(l.headFormat());
        if (head == null) {
            warnings.add(l.configLabel() + ": LM head type '" + l.headFormat() + "' is unknown; bytes per token assume " + o.headFormat().label());
            head = o.headFormat();
        }
        return new ByteBudget(format, head, 2.0, l.contextTokens() > 0 ? l.contextTokens() : o.contextTokens());
    }

    private static WeightFormat parseFormat(String f) {
        if (f == null) {
            return null;
        }
        try {
            return WeightFormat.parse(f);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static RunRecord record(String runId, String ts, Throughput t, Hardware h, ModelSpec spec, ByteBudget budget,
                                    AnalysisOptions o, Roofline.Projection p, Double projectionError, Throughput local,
                                    Map<String, Double> stepLatencyMs) {
        Map<String, RunRecord.PriceCosts> costs = new LinkedHashMap<>();
        for (PriceKind k : PriceKind.values()) {
            CostEstimate e = CostEstimate.of(k, h.pricePerHourUsd(k), t.tokensPerSecond(), o.scenarios());
            costs.put(k.label(), new RunRecord.PriceCosts(e.pricePerHourUsd(), e.costPerMillionTokensUsd(), e.costPerMillionByScenarioUsd()));
        }
        CostEstimate head = CostEstimate.of(o.headlinePrice(), h.pricePerHourUsd(o.headlinePrice()), t.tokensPerSecond(),
                List.of(UtilizationScenario.STEADY_API, UtilizationScenario.INTERACTIVE));
        Double memGb = spec == null || budget == null ? null : budget.memoryBytes(spec) / 1e9;
        boolean fits = memGb == null || memGb <= h.memoryGb();
        List<String> notes = new ArrayList<>(t.notes());
        if (memGb != null && !fits) {
            notes.add(String.format(java.util.Locale.ROOT, "does not fit: needs %.1f GB, hardware has %.0f GB", memGb, h.memoryGb()));
        }
        notes.add("TTFT and request latency are not measured by JMH benchmarks (null); a load test measures them");
        RunRecord.Statistics stats = new RunRecord.Statistics(t.statistics(),
                Double.isNaN(t.tokensPerSecondLow()) ? null : t.tokensPerSecondLow(),
                Double.isNaN(t.tokensPerSecondHigh()) ? null : t.tokensPerSecondHigh(),
                local == null ? null : new RunRecord.LocalFigure(local.method().label(), local.tokensPerSecond(), local.threads(), local.statistics()),
                projectionError, stepLatencyMs);
        RunRecord.ProjectionInfo pi = p == null ? null : new RunRecord.ProjectionInfo(p.bound(),
                Double.isNaN(p.computeBoundTokensPerSecond()) ? null : p.computeBoundTokensPerSecond(),
                p.bandwidthBoundTokensPerSecond(), p.bytesPerToken(), h.memoryBandwidthGBps(),
                p.assumptions().bandwidthEfficiency(), p.assumptions().efficiencySource(), p.assumptions().coreSpeedRatio());
        return new RunRecord(runId, t.model(), spec == null ? "unknown" : spec.quantization(), h.id(),
                h.pricePerHourUsd(o.headlinePrice()), t.tokensPerSecond(), null, null, memGb,
                head.costPerMillionTokensUsd(), head.atScenario(UtilizationScenario.STEADY_API.name()),
                head.atScenario(UtilizationScenario.INTERACTIVE.name()),
                RunFile.SCHEMA_VERSION, ts, o.headlinePrice().label(), h.priceSource(), h.priceAsOf(), h.pricesApproximate(),
                t.method() == Method.MEASURED_DECODE && p == null, t.method().label(), t.format(), t.backend(), t.threads(), t.batch(),
                costs, stats, pi, fits, true, t.basis().stream().map(BenchmarkId::toString).toList(), notes);
    }
}
