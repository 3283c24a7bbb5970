package dev.wrinklefree.cost.throughput;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How to read kernel benchmarks for a bottom-up projection. One JMH op is one matmul of shape {@code MxK}
 * (M rows of weights, K inputs) for {@code batch} activation rows.
 *
 * @param benchmarkPattern regular expression the full benchmark name must contain (find, not match)
 * @param shapeParam parameter holding the shape as {@code MxK}
 * @param batchParam parameter holding the batch (activation rows); 1 when absent
 * @param formatParam parameter holding the weight format
 * @param backendParam parameter holding the backend
 * @param threadsParam parameter holding the threads; JMH's {@code threads} when absent
 * @param residencyParam parameter saying where the weights live (cache or DRAM)
 * @param preferredResidency residency values in order of preference for pricing a whole model, whose
 *     weights do not fit in cache (the first one present is used)
 */
public record KernelMapping(Pattern benchmarkPattern, String shapeParam, String batchParam, String formatParam,
                            String backendParam, String threadsParam, String residencyParam,
                            List<String> preferredResidency) {
    public KernelMapping {
        preferredResidency = List.copyOf(preferredResidency);
    }

    /** The project's {@code TernaryMatmulBenchmark}. */
    public static KernelMapping defaults() {
        return new KernelMapping(Pattern.compile("TernaryMatmulBenchmark"), "shape", "batch", "format", "backend",
                "threads", "residency", List.of("dram", "cold", "memory", "mem"));
    }

    /** True when the benchmark's full name is a kernel benchmark under this mapping. */
    public boolean matches(String benchmark) {
        return benchmarkPattern.matcher(benchmark).find();
    }
}
