package dev.wrinklefree.cost.throughput;

import java.util.regex.Pattern;

/**
 * How to read tokens per second from a decode benchmark: which benchmarks count, and which parameters
 * name the model, format, backend, threads and batch.
 *
 * <p>One JMH op is taken as one decode step; a step yields one token per sequence of the batch, so
 * tokens/s = ops/s x batch (batch is 1 when the benchmark has no batch parameter). Time-per-op modes are
 * converted per iteration ({@code 1 / time}).
 *
 * @param benchmarkPattern regular expression the full benchmark name must contain (find, not match)
 * @param modelParam parameter holding the model id
 * @param formatParam parameter holding the weight format
 * @param backendParam parameter holding the kernel backend
 * @param threadsParam parameter holding the decoder's thread count; when absent, JMH's {@code threads}
 * @param batchParam parameter holding the batch size; when absent, 1
 */
public record DecodeMapping(Pattern benchmarkPattern, String modelParam, String formatParam, String backendParam,
                            String threadsParam, String batchParam) {
    /** The project's {@code DecodeBenchmark}: parameters model, format, backend, threads, batch. */
    public static DecodeMapping defaults() {
        return new DecodeMapping(Pattern.compile("DecodeBenchmark"), "model", "format", "backend", "threads", "batch");
    }

    /** A copy matching benchmarks by another regular expression. */
    public DecodeMapping withPattern(String regex) {
        return new DecodeMapping(Pattern.compile(regex), modelParam, formatParam, backendParam, threadsParam, batchParam);
    }

    /** True when the benchmark's full name is a decode benchmark under this mapping. */
    public boolean matches(String benchmark) {
        return benchmarkPattern.matcher(benchmark).find();
    }
}
