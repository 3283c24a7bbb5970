package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.jmh.Metric;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A measured decode figure against this machine's memory roofline: {@code read bandwidth / bytes per token},
 * with the read bandwidth the best streaming read of the same run at the same thread count.
 *
 * @param figure the measured decode figure
 * @param bytesPerToken bytes one decode step reads per token (body, head, KV cache; see {@code ByteBudget})
 * @param readBytesPerSecond the best read bandwidth of the run at the figure's thread count, bytes/s
 * @param readBenchmark the benchmark that read fastest (e.g. {@code NativeMemoryReadBenchmark.read})
 */
public record LocalRoofline(Throughput figure, double bytesPerToken, double readBytesPerSecond, String readBenchmark) {
    /**
     * Benchmarks whose {@code bytes} secondary metric is a streaming read rate in bytes/s: the project's Java
     * and native memory-read benchmarks.
     */
    public static final Pattern READ_BENCHMARKS = Pattern.compile("(MemoryBandwidthBenchmark|NativeMemoryReadBenchmark)\\.read$");

    /** Tokens/s if every decode step streamed its bytes at the read bandwidth. */
    public double rooflineTokensPerSecond() {
        return readBytesPerSecond / bytesPerToken;
    }

    /** Measured tokens/s over the roofline, in (0, ~1]. */
    public double fraction() {
        return figure.tokensPerSecond() / rooflineTokensPerSecond();
    }

    /** A streaming read measurement: benchmark short name and median bytes/s. */
    public record Read(String benchmark, double bytesPerSecond) {
    }

    /**
     * The best read of {@code results} per thread count (the {@code threads} parameter, else JMH's threads):
     * the median over iterations of the {@code bytes} secondary metric, for benchmarks matching
     * {@link #READ_BENCHMARKS}.
     */
    public static Map<Integer, Read> bestReads(JmhResultSet results) {
        Map<Integer, Read> best = new LinkedHashMap<>();
        for (JmhResult r : results.matching(n -> READ_BENCHMARKS.matcher(n).find())) {
            Metric bytes = r.secondary().get("bytes");
            if (bytes == null || !bytes.unit().isThroughput()) {
                continue;
            }
            double[] it = bytes.iterationValues();
            double[] perSecond = new double[it.length];
            for (int i = 0; i < it.length; i++) {
                perSecond[i] = bytes.unit().toOpsPerSecond(it[i]);
            }
            double median = dev.wrinklefree.cost.stats.Summary.of(perSecond).median();
            int threads = DecodeThroughputs.positiveInt(r, "threads", r.threads());
            Read cur = best.get(threads);
            if (!Double.isNaN(median) && (cur == null || median > cur.bytesPerSecond())) {
                best.put(threads, new Read(r.id().shortName(), median));
            }
        }
        return best;
    }

    /** The figure against the best read at its thread count, when the run has one. */
    public static Optional<LocalRoofline> of(Throughput figure, double bytesPerToken, Map<Integer, Read> reads) {
        Read r = reads.get(figure.threads());
        if (r == null || !(bytesPerToken > 0)) {
            return Optional.empty();
        }
        return Optional.of(new LocalRoofline(figure, bytesPerToken, r.bytesPerSecond(), r.benchmark()));
    }
}
