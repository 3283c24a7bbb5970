package dev.wrinklefree.cost.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads JMH's {@code -rf json} output: every mode ({@code thrpt}, {@code avgt}, {@code sample}, {@code ss}),
 * parameters, {@code rawData}, {@code rawDataHistogram}, secondary metrics (old {@code "\u00b7"}-prefixed
 * names normalized), and non-finite numbers written as the strings {@code "NaN"} / {@code "Infinity"}.
 */
public final class JmhReader {
    private static final Set<String> MODES = Set.of("thrpt", "avgt", "sample", "ss");

    private JmhReader() {
    }

    /**
     * Reads several files into one set.
     *
     * @throws InputException when a file is not JMH JSON, has no results, or two results share an identity
     */
    public static JmhResultSet read(List<Path> files) {
        if (files.isEmpty()) {
            throw new InputException("no JMH result files given");
        }
        List<JmhResult> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(readFile(f));
        }
        return JmhResultSet.of(all);
    }

    /** Reads one file (see {@link #read(List)}). */
    public static JmhResultSet read(Path file) {
        return read(List.of(file));
    }

    /**
     * Reads the results of one file, in order.
     *
     * @throws InputException naming the file, the entry index and benchmark, and the field that is wrong
     */
    public static List<JmhResult> readFile(Path file) {
        JsonNode root = Json.readTree(file);
        String where = file.toString();
        if (!root.isArray()) {
            throw new InputException(where + ": not JMH JSON: expected an array of benchmark results (JMH -rf json output), got " + Json.kind(root));
        }
        if (root.isEmpty()) {
            throw new InputException(where + ": no benchmark results (empty array); did the JMH run match any benchmark?");
        }
        List<JmhResult> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            out.add(entry(root.get(i), where + ": [" + i + "]", where));
        }
        return out;
    }

    private static JmhResult entry(JsonNode e, String at, String source) {
        if (!e.isObject()) {
            throw new InputException(at + ": not JMH JSON: expected a benchmark result object, got " + Json.kind(e));
        }
        String benchmark = Json.text(e, "benchmark", at);
        at = at + " (" + benchmark + ")";
        String mode = Json.text(e, "mode", at);
        if (!MODES.contains(mode)) {
            throw new InputException(at + ".mode: expected one of thrpt, avgt, sample, ss, got '" + mode + "'");
        }
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = e.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new InputException(at + ".params: expected an object, got " + Json.kind(p));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> kv = it.next();
                params.put(kv.getKey(), kv.getValue().asText());
            }
        }
        int threads = (int) Json.number(e, "threads", at);
        int forks = (int) Json.number(e, "forks", at);
        Metric primary = metric(Json.object(e, "primaryMetric", at), at + ".primaryMetric", true);
        String methodName = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        Map<String, Metric> secondary = new LinkedHashMap<>();
        JsonNode sec = e.get("secondaryMetrics");
        if (sec != null && !sec.isNull()) {
            if (!sec.isObject()) {
                throw new InputException(at + ".secondaryMetrics: expected an object, got " + Json.kind(sec));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = sec.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> kv = it.next();
                String name = normalizeSecondaryName(kv.getKey(), methodName);
                if (!kv.getValue().isObject()) {
                    throw new InputException(at + ".secondaryMetrics." + kv.getKey() + ": expected an object, got " + Json.kind(kv.getValue()));
                }
                secondary.put(name, metric(kv.getValue(), at + ".secondaryMetrics." + kv.getKey(), false));
            }
        }
        return new JmhResult(BenchmarkId.of(benchmark, mode, params), threads, forks,
                Json.optText(e, "jmhVersion", at), Json.optText(e, "jdkVersion", at), Json.optText(e, "vmName", at),
                primary, secondary, source);
    }

    /**
     * Removes the prefixes JMH 1.36 and older put on secondary metric names: {@code "\u00b7gc.alloc.rate"}
     * becomes {@code "gc.alloc.rate"} and {@code "sqrt\u00b7p0.50"} (method name, then the dot) becomes
     * {@code "p0.50"}.
     */
    public static String normalizeSecondaryName(String name, String methodName) {
        String n = name;
        if (n.startsWith(methodName + "\u00b7")) {
            n = n.substring(methodName.length() + 1);
        }
        while (n.startsWith("\u00b7")) {
            n = n.substring(1);
        }
        return n;
    }

    private static Metric metric(JsonNode m, String at, boolean primary) {
        double score = Json.number(m, "score", at);
        Double err = Json.optNumber(m, "scoreError", at);
        ScoreUnit unit = ScoreUnit.parse(Json.text(m, "scoreUnit", at));
        Map<Double, Double> pct = new LinkedHashMap<>();
        JsonNode pn = m.get("scorePercentiles");
        if (pn != null && pn.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = pn.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> kv = it.next();
                double q;
                try {
                    q = Double.parseDouble(kv.getKey());
                } catch (NumberFormatException ex) {
                    throw new InputException(at + ".scorePercentiles: key '" + kv.getKey() + "' is not a percentile");
                }
                pct.put(q, Json.number(kv.getValue(), at + ".scorePercentiles." + kv.getKey()));
            }
        }
        List<double[]> raw = new ArrayList<>();
        JsonNode rn = m.get("rawData");
        if (rn != null && !rn.isNull()) {
            if (!rn.isArray()) {
                throw new InputException(at + ".rawData: expected an array of forks, got " + Json.kind(rn));
            }
            for (int f = 0; f < rn.size(); f++) {
                JsonNode fork = rn.get(f);
                if (!fork.isArray()) {
                    throw new InputException(at + ".rawData[" + f + "]: expected an array of iteration scores, got " + Json.kind(fork));
                }
                double[] it = new double[fork.size()];
                for (int k = 0; k < it.length; k++) {
                    it[k] = Json.number(fork.get(k), at + ".rawData[" + f + "][" + k + "]");
                }
                raw.add(it);
            }
        }
        List<List<double[][]>> hist = new ArrayList<>();
        JsonNode hn = m.get("rawDataHistogram");
        if (hn != null && !hn.isNull()) {
            if (!hn.isArray()) {
                throw new InputException(at + ".rawDataHistogram: expected an array of forks, got " + Json.kind(hn));
            }
            for (int f = 0; f < hn.size(); f++) {
                JsonNode fork = hn.get(f);
                String fat = at + ".rawDataHistogram[" + f + "]";
                if (!fork.isArray()) {
                    throw new InputException(fat + ": expected an array of iterations, got " + Json.kind(fork));
                }
                List<double[][]> iters = new ArrayList<>();
                for (int k = 0; k < fork.size(); k++) {
                    JsonNode iter = fork.get(k);
                    String iat = fat + "[" + k + "]";
                    if (!iter.isArray()) {
                        throw new InputException(iat + ": expected an array of [value, count] pairs, got " + Json.kind(iter));
                    }
                    double[][] pairs = new double[iter.size()][];
                    for (int q = 0; q < pairs.length; q++) {
                        JsonNode pair = iter.get(q);
                        if (!pair.isArray() || pair.size() != 2) {
                            throw new InputException(iat + "[" + q + "]: expected a [value, count] pair");
                        }
                        double count = Json.number(pair.get(1), iat + "[" + q + "][1]");
                        if (!(count >= 0) || count != Math.rint(count)) {
                            throw new InputException(iat + "[" + q + "][1]: expected a whole count >= 0, got " + count);
                        }
                        pairs[q] = new double[] {Json.number(pair.get(0), iat + "[" + q + "][0]"), count};
                    }
                    iters.add(pairs);
                }
                hist.add(iters);
            }
        }
        if (primary && raw.isEmpty() && hist.isEmpty()) {
            throw new InputException(at + ": missing field 'rawData' (or 'rawDataHistogram' in sample mode): the iterations are needed for statistics");
        }
        return new Metric(score, err == null ? Double.NaN : err, unit, pct, raw, hist);
    }
}
