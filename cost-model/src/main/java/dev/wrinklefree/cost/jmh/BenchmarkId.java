package dev.wrinklefree.cost.jmh;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The identity of one measured benchmark: the method's full name, the JMH mode, and every parameter.
 * Two parameterizations, or two modes of the same method ({@code -bm all}), are two benchmarks.
 *
 * @param benchmark fully qualified method, e.g. {@code dev.wrinklefree.bench.TernaryMatmulBenchmark.matmul}
 * @param mode JMH mode short name: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param params parameters by name, sorted by name
 */
public record BenchmarkId(String benchmark, String mode, SortedMap<String, String> params) implements Comparable<BenchmarkId> {
    public BenchmarkId {
        params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /** An id from unsorted parameters. */
    public static BenchmarkId of(String benchmark, String mode, Map<String, String> params) {
        return new BenchmarkId(benchmark, mode, new TreeMap<>(params));
    }

    /** The class's simple name and the method, e.g. {@code TernaryMatmulBenchmark.matmul}. */
    public String shortName() {
        int method = benchmark.lastIndexOf('.');
        int cls = method > 0 ? benchmark.lastIndexOf('.', method - 1) : -1;
        return benchmark.substring(cls + 1);
    }

    /** The parameter, or {@code null} when the benchmark has no such parameter. */
    public String param(String name) {
        return params.get(name);
    }

    /** {@code name=value,...} in name order, empty when there are no parameters. */
    public String paramsText() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** A one-line label: {@code TernaryMatmulBenchmark.matmul[thrpt](batch=1,shape=2560x2560)}. */
    public String label() {
        return shortName() + "[" + mode + "]" + (params.isEmpty() ? "" : "(" + paramsText() + ")");
    }

    @Override
    public String toString() {
        return benchmark + "[" + mode + "]" + (params.isEmpty() ? "" : "(" + paramsText() + ")");
    }

    @Override
    public int compareTo(BenchmarkId o) {
        return toString().compareTo(o.toString());
    }
}
