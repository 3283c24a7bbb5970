package dev.wrinklefree.cli;

import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.UtilizationScenario;
import dev.wrinklefree.cost.analysis.AnalysisOptions;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.throughput.KernelMapping;
import dev.wrinklefree.cost.throughput.LocalRoofline;
import dev.wrinklefree.cost.throughput.RooflineAssumptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The options that turn JMH results into priced records, shared by report, compare and bench. */
final class CostOptions {
    @Option(names = "--catalog", paramLabel = "FILE", description = "JSON or YAML hardware catalog that overrides or adds entries.")
    Path catalog;

    @Option(names = "--hardware", paramLabel = "ID", split = ",", description = "Catalog ids to price on (default: all).")
    List<String> hardware = new ArrayList<>();

    @Option(names = "--model", paramLabel = "ID", split = ",", description = "Models to project kernel benchmarks onto (default: bitnet-2b-4t). Known: bitnet-2b-4t, llama3-8b-1.58, bitnet-700m, llama-3.1-70b, mixtral-8x7b.")
    List<String> models = new ArrayList<>();

    @Option(names = "--measured-on", paramLabel = "ID", description = "The catalog id of the machine the benchmarks ran on (e.g. cpu-64 on a RunPod CPU pod). Without it every cost is a projection.")
    String measuredOn;

    @Option(names = "--price", paramLabel = "KIND", defaultValue = "spot", description = "Price of the seed's headline fields: spot or on-demand (default: ${DEFAULT-VALUE}); reports show both.")
    String price;

    @Option(names = "--utilization", paramLabel = "NAME=FRACTION", description = "Extra utilization scenario, e.g. nightly=0.3 or 30%% (repeatable). 100/70/50 %% are built in.")
    List<String> utilization = new ArrayList<>();

    @Option(names = "--head-format", paramLabel = "FORMAT", defaultValue = "f16", description = "LM head storage for bytes per token: f16, q8_0, q6_k, ... (default: ${DEFAULT-VALUE}).")
    String headFormat;

    @Option(names = "--context", paramLabel = "TOKENS", defaultValue = "1024", description = "Context length for KV-cache bytes and memory (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--efficiency", paramLabel = "FRACTION", description = "Fraction of peak memory bandwidth a decode step streams, for roofline projections (default 0.7, assumed).")
    Double efficiency;

    @Option(names = "--local-bandwidth", paramLabel = "MEASURED/PEAK", description = {"Calibrate the efficiency: GB/s a streaming read reached here / this machine's nominal peak GB/s, e.g. 38/51.2.",
            "MEASURED may be 'run': the best memory read of the results (MemoryBandwidthBenchmark.read or NativeMemoryReadBenchmark.read), e.g. run/51.2;",
            "meaningful only when that read used enough threads to saturate the memory system."})
    String localBandwidth;

    @Option(names = "--decode-pattern", paramLabel = "REGEX", description = "Benchmarks whose name contains this are decode benchmarks, one op = one token (default: DecodeBenchmark).")
    String decodePattern;

    @Option(names = "--kernel-pattern", paramLabel = "REGEX", description = "Benchmarks whose name contains this are kernel benchmarks, one op = one MxK matmul (default: TernaryMatmulBenchmark).")
    String kernelPattern;

    @Option(names = "--clock-ghz", paramLabel = "GHZ", description = "Core clock, to report cycles per 32 weights for kernels.")
    Double clockGhz;

    HardwareCatalog catalog() {
        return HardwareCatalog.load(catalog);
    }

    AnalysisOptions toOptions() {
        AnalysisOptions o = AnalysisOptions.defaults();
        if (!models.isEmpty()) {
            o = o.withModels(models);
        }
        o = o.withHardware(hardware).withMeasuredOn(measuredOn).withHeadlinePrice(PriceKind.parse(price));
        List<UtilizationScenario> extra = new ArrayList<>();
        for (String u : utilization) {
            extra.add(UtilizationScenario.parse(u));
        }
        o = o.withScenarios(UtilizationScenario.defaultsPlus(extra)).withHeadFormat(WeightFormat.parse(headFormat));
        if (context < 0) {
            throw new IllegalArgumentException("--context must be >= 0 tokens, got " + context);
        }
        o = o.withContextTokens(context);
        if (efficiency != null) {
            o = o.withRoofline(o.roofline().withEfficiency(efficiency, "given on the command line (--efficiency)"));
        }
        if (localBandwidth != null) {
            double peak = localPeakGBps();
            if (!fromRun()) {
                o = o.withRoofline(o.roofline().calibrated(Double.parseDouble(localBandwidth.split("/")[0].strip()), peak));
            }
        }
        if (decodePattern != null) {
            o = o.withDecodeMapping(o.decodeMapping().withPattern(checkRegex("--decode-pattern", decodePattern)));
        }
        if (kernelPattern != null) {
            KernelMapping k = o.kernelMapping();
            o = o.withKernelMapping(new KernelMapping(Pattern.compile(checkRegex("--kernel-pattern", kernelPattern)), k.shapeParam(), k.batchParam(),
                    k.formatParam(), k.backendParam(), k.threadsParam(), k.residencyParam(), k.preferredResidency()));
        }
        if (clockGhz != null) {
            if (!(clockGhz > 0)) {
                throw new IllegalArgumentException("--clock-ghz must be > 0, got " + clockGhz);
            }
            o = o.withClockGhz(clockGhz);
        }
        return o;
    }

    /** True when {@code --local-bandwidth run/PEAK} asks to calibrate from the results' own memory read. */
    private boolean fromRun() {
        return localBandwidth != null && localBandwidth.split("/")[0].strip().equalsIgnoreCase("run");
    }

    /** The PEAK of {@code --local-bandwidth MEASURED/PEAK}, checking both parts. */
    private double localPeakGBps() {
        String[] mp = localBandwidth.split("/");
        try {
            if (mp.length != 2) {
                throw new NumberFormatException();
            }
            if (!mp[0].strip().equalsIgnoreCase("run")) {
                Double.parseDouble(mp[0].strip());
            }
            return Double.parseDouble(mp[1].strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--local-bandwidth: expected MEASURED/PEAK in GB/s such as 38/51.2 or run/51.2, got '" + localBandwidth + "'");
        }
    }

    /**
     * {@code o}, with the efficiency calibrated from {@code results} when {@code --local-bandwidth run/PEAK} asks for it:
     * the best memory read of the results (any thread count) over PEAK.
     *
     * @throws IllegalArgumentException when the results have no memory read benchmark
     */
    AnalysisOptions calibrated(AnalysisOptions o, JmhResultSet results) {
        if (!fromRun()) {
            return o;
        }
        double peak = localPeakGBps();
        var best = LocalRoofline.bestReads(results).entrySet().stream()
                .max(java.util.Comparator.comparingDouble(e -> e.getValue().bytesPerSecond()))
                .orElseThrow(() -> new IllegalArgumentException("--local-bandwidth run/" + localBandwidth.split("/")[1].strip()
                        + ": the results have no memory read benchmark (MemoryBandwidthBenchmark.read or NativeMemoryReadBenchmark.read)"));
        double gbps = best.getValue().bytesPerSecond() / 1e9;
        RooflineAssumptions r = o.roofline().calibrated(gbps, peak);
        return o.withRoofline(r.withEfficiency(r.bandwidthEfficiency(), String.format(java.util.Locale.ROOT,
                "calibrated: %.1f GB/s, the best memory read of the results (%s, %d thread%s), of %.1f GB/s nominal peak (--local-bandwidth)",
                gbps, best.getValue().benchmark(), best.getKey(), best.getKey() == 1 ? "" : "s", peak)));
    }

    static String checkRegex(String opt, String re) {
        try {
            Pattern.compile(re);
            return re;
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(opt + ": not a regular expression: " + e.getDescription() + " in '" + re + "'");
        }
    }
}
