package dev.wrinklefree.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads a JMH JSON result file and prints what a kernel engineer wants to read: per format, backend
 * (including {@code native:<isa>} and {@code vector:<strategy>} rows), batch, residency and threads the ns per
 * weight, G weights/s, weight GB/s and fraction of the memory roofline; the roofline itself (at each thread
 * count the best read of the run, Java {@code MemoryBandwidthBenchmark.read} or native
 * {@code NativeMemoryReadBenchmark.read}, marked in its table); cold GEMVs against the memory read of the same
 * seconds ({@code ColdRooflineBenchmark}, which then decides the cold bars); decoder tokens/s; model open time; activation
 * quantization per token; dispatch and FFM overhead; and the performance bars of issue 2 (Vector API) and
 * issue 3 (native) with their verdicts. Sections and bars without data are left out.
 *
 * <p>Every figure is the median of all measured iterations ({@code rawData}, every fork), not JMH's
 * mean. Weights and bytes come from {@code TernaryMatmulBenchmark}'s aux counters (rates per second over
 * the measured time); "weights" are weights x tokens, i.e. multiply-accumulates.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.wrinklefree.bench.BenchTable results/raw/jmh/X.json}.
 */
public final class BenchTable {
    private static final String MATMUL = "TernaryMatmulBenchmark.matmul";
    private static final String READ = "MemoryBandwidthBenchmark.read";
    private static final String NATIVE_READ = "NativeMemoryReadBenchmark.read";
    private static final String COPY = "MemoryBandwidthBenchmark.copy";
    private static final String QUANT = "ActivationQuantizationBenchmark.quantize";
    private static final String DISPATCH = "DispatchOverheadBenchmark.dispatch";
    private static final String FFM = "FfmOverheadBenchmark.";
    private static final String DECODE = "DecodeBenchmark.tokens";
    private static final String OPEN = "ModelOpenBenchmark.openToReady";
    private static final String PAIRED = "ColdRooflineBenchmark.pass";

    private final List<Row> rows = new ArrayList<>();

    /**
     * One benchmark of the file: name (class.method), params, medians of primary and secondary metrics, and each
     * secondary metric's values per iteration (every fork, in order).
     */
    record Row(String name, Map<String, String> params, double score, String unit, Map<String, Double> secondary,
               Map<String, double[]> iterations) {
        String param(String key) {
            return params.getOrDefault(key, "");
        }

        double secondary(String key) {
            return bySuffix(secondary, key, Double.NaN);
        }

        /** The per-iteration values of a secondary metric; empty when the row has none. */
        double[] iterations(String key) {
            return bySuffix(iterations, key, new double[0]);
        }

        /** The value of the first metric whose name ends with {@code key} (JMH prefixes some, e.g. "·gc."). */
        private static <V> V bySuffix(Map<String, V> metrics, String key, V none) {
            for (Map.Entry<String, V> e : metrics.entrySet()) {
                if (e.getKey().endsWith(key)) {
                    return e.getValue();
                }
            }
            return none;
        }

        /**
         * Per iteration, secondary metric {@code a} divided by {@code b} of the same iteration; empty when either is
         * missing, their iteration counts differ, or a quotient is not finite.
         */
        double[] ratios(String a, String b) {
            double[] va = iterations(a);
            double[] vb = iterations(b);
            if (va.length == 0 || vb.length != va.length) {
                return new double[0];
            }
            double[] r = new double[va.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = va[i] / vb[i];
                if (Double.isNaN(r[i]) || Double.isInfinite(r[i])) {
                    return new double[0];
                }
            }
            return r;
        }
    }

    private BenchTable(JsonNode results) {
        for (JsonNode r : results) {
            String bench = r.path("benchmark").asText();
            String name = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
            Map<String, String> params = new TreeMap<>();
            r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            JsonNode pm = r.path("primaryMetric");
            Map<String, Double> sec = new TreeMap<>();
            Map<String, double[]> its = new TreeMap<>();
            r.path("secondaryMetrics").properties().forEach(e -> {
                sec.put(e.getKey(), median(e.getValue()));
                its.put(e.getKey(), raw(e.getValue()));
            });
            rows.add(new Row(name, params, median(pm), pm.path("scoreUnit").asText(), sec, its));
        }
    }

    /** Parses a JMH JSON file (an array of results). */
    public static BenchTable read(Path json) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(json));
            if (!root.isArray()) {
                throw new IllegalArgumentException(json + ": expected a JMH JSON array of results, got " + root.getNodeType());
            }
            return new BenchTable(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JMH results " + json, e);
        }
    }

    /** Median of all raw iterations of a metric (every fork); the score when no raw data is present. */
    static double median(JsonNode metric) {
        double[] a = raw(metric);
        return a.length == 0 ? metric.path("score").asDouble(Double.NaN) : medianOf(a);
    }

    /** A metric's raw iteration values, fork after fork; empty when the file has none. */
    private static double[] raw(JsonNode metric) {
        List<Double> v = new ArrayList<>();
        for (JsonNode fork : metric.path("rawData")) {
            for (JsonNode it : fork) {
                v.add(it.asDouble());
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Median of {@code values}; NaN when there are none. */
    static double medianOf(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] a = values.clone();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private Optional<Row> find(String name, Predicate<Row> p) {
        return rows.stream().filter(r -> r.name().equals(name) && p.test(r)).findFirst();
    }

    /**
     * The memory roofline at this thread count: the best read of the run, Java ({@code MemoryBandwidthBenchmark.read})
     * or native ({@code NativeMemoryReadBenchmark.read}), whichever streamed more; empty when the file has neither.
     */
    Optional<Row> roofline(String threads) {
        return rows.stream().filter(r -> (r.name().equals(READ) || r.name().equals(NATIVE_READ)) && r.param("threads").equals(threads))
                .filter(r -> !Double.isNaN(r.secondary("bytes")))
                .max(Comparator.comparingDouble(r -> r.secondary("bytes")));
    }

    /** Roofline read bandwidth in bytes/s at this thread count, NaN when the file has none. */
    double readBandwidth(String threads) {
        return roofline(threads).map(r -> r.secondary("bytes")).orElse(Double.NaN);
    }

    private double weightsPerSecond(String backend, String format, String shape, String batch, String threads, String residency) {
        return find(MATMUL, r -> r.param("backend").equals(backend) && r.param("format").equals(format)
                && r.param("shape").equals(shape) && r.param("batch").equals(batch)
                && r.param("threads").equals(threads) && r.param("residency").equals(residency))
                .map(r -> r.secondary("weights")).orElse(Double.NaN);
    }

    private Optional<Row> matmul(String backend, String format, String shape, String batch, String threads, String residency) {
        return find(MATMUL, r -> r.param("backend").equals(backend) && r.param("format").equals(format)
                && r.param("shape").equals(shape) && r.param("batch").equals(batch)
                && r.param("threads").equals(threads) && r.param("residency").equals(residency));
    }

    /** The ColdRooflineBenchmark row of this configuration, if the run has one. */
    private Optional<Row> paired(String backend, String format, String shape, String batch, String threads) {
        return find(PAIRED, r -> r.param("backend").equals(backend) && r.param("format").equals(format)
                && r.param("shape").equals(shape) && r.param("batch").equals(batch) && r.param("threads").equals(threads));
    }

    /**
     * Per iteration of a ColdRooflineBenchmark row: the kernel's weight bytes/s over the read's bytes/s, both
     * measured in that iteration's alternating blocks; empty when the row lacks the counters.
     */
    static double[] pairedFractions(Row r) {
        double[] kernel = r.ratios("kernelBytes", "kernelNanos");
        double[] read = r.ratios("readBytes", "readNanos");
        if (kernel.length == 0 || read.length != kernel.length) {
            return new double[0];
        }
        double[] f = new double[kernel.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = kernel[i] / read[i];
        }
        return f;
    }

    /** Prints every section that has data. */
    public void print(PrintStream out) {
        printKernels(out);
        printRoofline(out);
        printPaired(out);
        printDecode(out);
        printOpen(out);
        printQuantization(out);
        printDispatch(out);
        printFfm(out);
        printBars(out);
        printNativeBars(out);
    }

    private void printKernels(PrintStream out) {
        List<Row> mm = new ArrayList<>(rows.stream().filter(r -> r.name().equals(MATMUL)).toList());
        if (mm.isEmpty()) {
            return;
        }
        mm.sort(Comparator.comparing((Row r) -> r.param("format")).thenComparing(r -> r.param("shape"))
                .thenComparing(r -> r.param("backend")).thenComparingInt(r -> Integer.parseInt(r.param("batch")))
                .thenComparing(r -> r.param("residency"), Comparator.reverseOrder())
                .thenComparingInt(r -> Integer.parseInt(r.param("threads"))));
        out.println("Ternary matmul (TernaryMatmulBenchmark, medians; weights = weights x tokens; GB/s = weight bytes streamed;");
        out.println("roofline = GB/s / the best memory read GB/s of this run at the same thread count, see below)");
        out.println();
        head(out, "| format | backend | shape | batch | residency | threads | ns/weight | G weights/s | GB/s | roofline | alloc B/op |", "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|");
        for (Row r : mm) {
            double w = r.secondary("weights");
            double b = r.secondary("bytes");
            double bw = readBandwidth(r.param("threads"));
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.4f | %.2f | %.2f | %s | %s |%n",
                    r.param("format"), r.param("backend"), r.param("shape"), r.param("batch"), r.param("residency"),
                    r.param("threads"), 1e9 / w, w / 1e9, b / 1e9,
                    Double.isNaN(bw) ? "-" : String.format(Locale.ROOT, "%.2f", b / bw),
                    fmt(r.secondary("gc.alloc.rate.norm"), "%.1f"));
        }
        out.println();
    }

    private void printRoofline(PrintStream out) {
        List<Row> bw = rows.stream().filter(r -> r.name().equals(READ) || r.name().equals(COPY) || r.name().equals(NATIVE_READ)).toList();
        if (bw.isEmpty()) {
            return;
        }
        out.println("Memory bandwidth (>= 1 GiB off-heap; copy counts bytes read + written). The roofline at each thread count");
        out.println("is the best read of this run, Java (MemoryBandwidthBenchmark) or native (NativeMemoryReadBenchmark).");
        out.println();
        head(out, "| benchmark | threads | GB/s | roofline |", "|---|---:|---:|---|");
        for (Row r : bw) {
            boolean used = roofline(r.param("threads")).map(x -> x == r).orElse(false);
            out.printf(Locale.ROOT, "| %s | %s | %.2f | %s |%n", r.name(), r.param("threads"), r.secondary("bytes") / 1e9, used ? "yes" : "");
        }
        out.println();
    }

    private void printPaired(PrintStream out) {
        List<Row> p = rows.stream().filter(r -> r.name().equals(PAIRED)).toList();
        if (p.isEmpty()) {
            return;
        }
        out.println("Cold weights and the memory read in the same seconds (ColdRooflineBenchmark: blocks of cold matmuls and");
        out.println("blocks of the memory read alternate, about 10 ms each; GB/s are medians over iterations, fraction = per");
        out.println("iteration the kernel's weight GB/s / the read's GB/s, median and range)");
        out.println();
        head(out, "| format | backend | shape | batch | threads | read loop | kernel GB/s | read GB/s | fraction | fraction min-max |",
                "|---|---|---|---:|---:|---|---:|---:|---:|---|");
        for (Row r : p) {
            double[] f = pairedFractions(r);
            double min = Arrays.stream(f).min().orElse(Double.NaN);
            double max = Arrays.stream(f).max().orElse(Double.NaN);
            // nanoseconds in the counters: bytes per nanosecond are GB/s
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.param("format"), r.param("backend"),
                    r.param("shape"), r.param("batch"), r.param("threads"), r.param("read"),
                    fmt(medianOf(r.ratios("kernelBytes", "kernelNanos")), "%.2f"), fmt(medianOf(r.ratios("readBytes", "readNanos")), "%.2f"),
                    fmt(medianOf(f), "%.2f"), f.length == 0 ? "-" : String.format(Locale.ROOT, "%.2f-%.2f", min, max));
        }
        out.println();
    }

    private void printDecode(PrintStream out) {
        List<Row> d = rows.stream().filter(r -> r.name().equals(DECODE)).toList();
        if (d.isEmpty()) {
            return;
        }
        out.println("Decoder (DecodeBenchmark, synthetic model of the real shape; one op = one token; decode = batch-1 steps at");
        out.println("a fixed context, prefill = a 128-token prompt)");
        out.println();
        head(out, "| model | format | head | backend | threads | phase | context | tokens/s | ms/token |", "|---|---|---|---|---:|---|---:|---:|---:|");
        for (Row r : d) {
            double tps = 1e9 / toNanos(r.score(), r.unit());
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f |%n", r.param("model"), r.param("format"), r.param("head"),
                    r.param("backend"), r.param("threads"), r.param("phase"), r.param("context"), tps, 1e3 / tps);
        }
        out.println();
    }

    /** Time to first forward pass readiness, with issue 5's bar (under 1 s for a 1 GB model). */
    private void printOpen(PrintStream out) {
        List<Row> o = rows.stream().filter(r -> r.name().equals(OPEN)).toList();
        if (o.isEmpty()) {
            return;
        }
        out.println("Model open (ModelOpenBenchmark: map, validate, prepare weights, start threads, allocate the KV cache; a cold JVM per sample)");
        out.println();
        head(out, "| model | format | head | backend | ms (median) | < 1 s |", "|---|---|---|---|---:|---|");
        for (Row r : o) {
            double ms = toNanos(r.score(), r.unit()) / 1e6;
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.0f | %s |%n", r.param("model"), r.param("format"), r.param("head"),
                    r.param("backend"), ms, ms < 1000 ? "PASS" : "FAIL");
        }
        out.println();
    }

    private void printQuantization(PrintStream out) {
        List<Row> q = rows.stream().filter(r -> r.name().equals(QUANT)).toList();
        if (q.isEmpty()) {
            return;
        }
        out.println("Activation quantization (ActivationQuantizationBenchmark, one token)");
        out.println();
        head(out, "| format | K | ns/token |", "|---|---:|---:|");
        for (Row r : q) {
            out.printf(Locale.ROOT, "| %s | %s | %.1f |%n", r.param("format"), r.param("cols"), toNanos(r.score(), r.unit()));
        }
        out.println();
    }

    private void printDispatch(PrintStream out) {
        List<Row> d = rows.stream().filter(r -> r.name().equals(DISPATCH)).toList();
        if (d.isEmpty()) {
            return;
        }
        out.println("Dispatch overhead (DispatchOverheadBenchmark: ParallelKernel around a kernel that does nothing)");
        out.println();
        Optional<Row> gemv = matmul("vector", "TQ2_0", "2560x2560", "1", "1", "hot").or(() -> matmul("native", "TQ2_0", "2560x2560", "1", "1", "hot"));
        for (Row r : d) {
            double ns = toNanos(r.score(), r.unit());
            out.printf(Locale.ROOT, "- %s thread(s): %.0f ns per call%s%n", r.param("threads"), ns,
                    gemv.map(g -> String.format(Locale.ROOT, " = %.2f %% of one 2560x2560 TQ2_0 GEMV (%s, 1 thread, hot: %.1f us)",
                            100 * ns * g.score() / 1e9, g.param("backend"), 1e6 / g.score())).orElse(""));
        }
        out.println();
    }

    /** FFM call overhead: {@code tinyMatmul} (a whole call on almost no work) over {@code gemv2560}, per format. */
    private void printFfm(PrintStream out) {
        List<Row> f = rows.stream().filter(r -> r.name().startsWith(FFM)).toList();
        if (f.isEmpty()) {
            return;
        }
        out.println("FFM overhead (FfmOverheadBenchmark: noop = empty downcall, tinyMatmul = one call on the smallest matrix, gemv2560 = one");
        out.println("2560x2560 GEMV, hot; overhead = tinyMatmul / gemv2560)");
        out.println();
        head(out, "| backend | format | noop ns | tinyMatmul ns | gemv2560 ns | overhead |", "|---|---|---:|---:|---:|---:|");
        for (String[] bf : ffmConfigs()) {
            double noop = ffmNanos("noop", bf[0], bf[1]);
            double tiny = ffmNanos("tinyMatmul", bf[0], bf[1]);
            double gemv = ffmNanos("gemv2560", bf[0], bf[1]);
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", bf[0], bf[1], fmt(noop, "%.1f"), fmt(tiny, "%.1f"), fmt(gemv, "%.0f"),
                    fmt(100 * tiny / gemv, "%.2f %%"));
        }
        out.println();
    }

    private List<String[]> ffmConfigs() {
        List<String[]> c = new ArrayList<>();
        for (Row r : rows) {
            if (r.name().startsWith(FFM) && c.stream().noneMatch(x -> x[0].equals(r.param("backend")) && x[1].equals(r.param("format")))) {
                c.add(new String[] {r.param("backend"), r.param("format")});
            }
        }
        return c;
    }

    private double ffmNanos(String method, String backend, String format) {
        return find(FFM + method, r -> r.param("backend").equals(backend) && r.param("format").equals(format))
                .map(r -> toNanos(r.score(), r.unit())).orElse(Double.NaN);
    }

    /** Issue 2's performance bars, each with the measured value and a verdict (skipped when data is missing). */
    private void printBars(PrintStream out) {
        List<String> lines = new ArrayList<>();
        String shape = "2560x2560";
        for (String f : new String[] {"TQ2_0", "I2_S"}) {
            double v = weightsPerSecond("vector", f, shape, "1", "1", "hot");
            double s = weightsPerSecond("scalar", f, shape, "1", "1", "hot");
            bar(lines, f + " vector / scalar, batch 1 hot 1 thread >= 8x", v / s, 8, "%.1fx");
            bar(lines, f + " vector batch 1 hot 1 thread >= 25 G weights/s (ggml AVX2 TQ2_0: ~37)", v / 1e9, 25, "%.1f");
        }
        bar(lines, "TQ1_0 vector batch 1 hot 1 thread >= 15 G weights/s",
                weightsPerSecond("vector", "TQ1_0", shape, "1", "1", "hot") / 1e9, 15, "%.1f");
        for (String f : new String[] {"TQ2_0", "TQ1_0", "I2_S"}) {
            coldBar(lines, "vector", f, 0.6);
            for (String res : new String[] {"hot", "cold"}) {
                for (String t : new String[] {"1", "2"}) {
                    double r = weightsPerSecond("vector", f, shape, "32", t, res) / weightsPerSecond("vector", f, shape, "1", t, res);
                    bar(lines, f + " vector batch 32 / batch 1 (" + res + ", " + t + " thread(s)) >= 3x", r, 3, "%.2fx");
                }
            }
            for (String b : new String[] {"1", "32"}) {
                double r = weightsPerSecond("vector", f, shape, b, "2", "hot") / weightsPerSecond("vector", f, shape, b, "1", "hot");
                bar(lines, f + " vector 2 threads / 1 thread (hot, batch " + b + ") >= 1.7x", r, 1.7, "%.2fx");
            }
        }
        // JMH allocates a few KB per iteration itself; only calls fast enough (batch 1: thousands per second)
        // make that negligible per op, so the verdict uses those. A kernel that boxed vectors would show
        // hundreds of KB per op; one stray object per call, 16 B or more.
        double worst = rows.stream().filter(r -> r.name().equals(MATMUL) && !r.param("backend").equals("scalar")
                        && r.param("batch").equals("1") && r.score() >= 1000)
                .mapToDouble(r -> r.secondary("gc.alloc.rate.norm")).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        if (!Double.isNaN(worst)) {
            lines.add(String.format(Locale.ROOT, "| no allocation per op (-prof gc, worst non-scalar batch-1 call, JMH's own bookkeeping included) | %.2f B/op | %s |",
                    worst, worst < 8 ? "PASS" : "FAIL"));
        }
        printBars(out, "Performance bars, Vector API (issue 2; ratios within this run)", lines);
    }

    /** Issue 3's performance bars for the native kernels (skipped when data is missing). */
    private void printNativeBars(PrintStream out) {
        List<String> lines = new ArrayList<>();
        String shape = "2560x2560";
        for (String f : new String[] {"TQ2_0", "I2_S"}) {
            bar(lines, f + " native batch 1 hot 1 thread >= 55 G weights/s (1.5x ggml AVX2 TQ2_0)",
                    weightsPerSecond("native", f, shape, "1", "1", "hot") / 1e9, 55, "%.1f");
        }
        for (String f : new String[] {"TQ2_0", "TQ1_0", "I2_S"}) {
            coldBar(lines, "native", f, 0.9);
        }
        for (String f : new String[] {"TQ2_0", "TQ1_0", "I2_S"}) {
            for (String b : new String[] {"32", "128"}) {
                String res = matmul("native", f, shape, b, "1", "hot").isPresent() ? "hot" : "cold";
                bar(lines, f + " native batch " + b + " 1 thread (" + res + ") >= 100 G multiply-accumulates/s",
                        weightsPerSecond("native", f, shape, b, "1", res) / 1e9, 100, "%.1f");
            }
        }
        for (String[] bf : ffmConfigs()) {
            double pct = 100 * ffmNanos("tinyMatmul", bf[0], bf[1]) / ffmNanos("gemv2560", bf[0], bf[1]);
            if (!Double.isNaN(pct)) {
                lines.add(String.format(Locale.ROOT, "| %s FFM overhead (%s) < 1 %% of one 2560x2560 GEMV | %.2f %% | %s |",
                        bf[1], bf[0], pct, pct < 1 ? "PASS" : "FAIL"));
            }
        }
        printBars(out, "Performance bars, native kernels (issue 3; ratios within this run)", lines);
    }

    /**
     * The bar "cold 2 threads, batch 1, 2560x2560: weight bytes/s >= threshold of the memory read". With a
     * ColdRooflineBenchmark row the verdict is its fraction (the read measured in the same seconds), and the fraction
     * of the run's best read follows as information; without one, the verdict is the fraction of the best read.
     */
    private void coldBar(List<String> lines, String backend, String f, double threshold) {
        double bytes = matmul(backend, f, "2560x2560", "1", "2", "cold").map(r -> r.secondary("bytes")).orElse(Double.NaN);
        String what = f + " " + backend + " cold 2 threads: weight bytes/s >= " + Math.round(threshold * 100) + " % of the memory ";
        Optional<Row> p = paired(backend, f, "2560x2560", "1", "2");
        if (p.isPresent()) {
            bar(lines, what + "read in the same seconds (ColdRooflineBenchmark, median of iterations)",
                    medianOf(pairedFractions(p.get())), threshold, "%.2f");
            double best = bytes / readBandwidth("2");
            if (!Double.isNaN(best)) {
                lines.add(String.format(Locale.ROOT, "| %s | %.2f | %s |", what
                        + "roofline: the run's best read (2 threads), minutes away from the matmul; information, the row above decides", best, "-"));
            }
        } else {
            bar(lines, what + "roofline (2 threads)", bytes / readBandwidth("2"), threshold, "%.2f");
        }
    }

    /** A bars table: each line a bar, its measured value and verdict; nothing when no bar had data. */
    private static void printBars(PrintStream out, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.println(title);
        out.println();
        head(out, "| bar | measured | verdict |", "|---|---:|---|");
        lines.forEach(out::println);
        out.println();
    }

    /** A Markdown table's header row and its alignment row. */
    private static void head(PrintStream out, String columns, String alignment) {
        out.println(columns);
        out.println(alignment);
    }

    private static void bar(List<String> lines, String what, double value, double threshold, String format) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return;
        }
        lines.add("| " + what + " | " + String.format(Locale.ROOT, format, value) + " | "
                + (value >= threshold ? "PASS" : "FAIL") + " |");
    }

    private static double toNanos(double score, String unit) {
        return switch (unit) {
            case "ns/op" -> score;
            case "us/op" -> score * 1e3;
            case "ms/op" -> score * 1e6;
            case "s/op" -> score * 1e9;
            case "ops/s" -> 1e9 / score;
            case "ops/ms" -> 1e6 / score;
            case "ops/us" -> 1e3 / score;
            default -> throw new IllegalArgumentException("unknown JMH score unit '" + unit + "'");
        };
    }

    private static String fmt(double v, String format) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: BenchTable <jmh-result.json>");
            System.exit(2);
        }
        read(Path.of(args[0])).print(System.out);
    }

    /** The rows, for tests and other reports. */
    List<Row> rows() {
        return List.copyOf(rows);
    }
}
