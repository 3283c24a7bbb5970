package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.stats.Summary;

import java.util.List;

/**
 * A tokens-per-second figure for one model and kernel configuration, and where it came from.
 *
 * @param model model id ({@code bitnet-2b-4t}), may be {@code null} when the benchmark did not say
 * @param format weight format label ({@code i2_s}), or {@code null} when unknown
 * @param backend kernel backend ({@code vector}, {@code native}, ...), or {@code null}
 * @param threads threads used by the measured run, {@code >= 1}
 * @param batch sequences decoded together, {@code >= 1}
 * @param tokensPerSecond the headline figure (median over iterations for measurements), {@code > 0}
 * @param method how it was obtained
 * @param statistics tokens/s per measurement iteration (measured), or of the projection's inputs; may be {@code null}
 * @param tokensPerSecondLow the projection with every input at its slowest iteration (NaN for measurements)
 * @param tokensPerSecondHigh the projection with every input at its fastest iteration (NaN for measurements)
 * @param basis the benchmarks the figure rests on
 * @param notes assumptions, substitutions, caveats, in words
 * @param headFormat the LM head's storage type the measured run used ({@code q8_0}), or {@code null} when the
 *     benchmark did not say (then the analysis option applies)
 * @param contextTokens the tokens in the KV cache during the measured decode steps, or {@code -1} when the
 *     benchmark did not say (then the analysis option applies)
 */
public record Throughput(String model, String format, String backend, int threads, int batch, double tokensPerSecond,
                         Method method, Summary statistics, double tokensPerSecondLow, double tokensPerSecondHigh,
                         List<BenchmarkId> basis, List<String> notes, String headFormat, int contextTokens) {
    public Throughput {
        if (!(tokensPerSecond > 0) || Double.isInfinite(tokensPerSecond)) {
            throw new IllegalArgumentException("tokens per second must be finite and > 0, got " + tokensPerSecond
                    + (basis.isEmpty() ? "" : " (from " + basis.getFirst() + ")"));
        }
        basis = List.copyOf(basis);
        notes = List.copyOf(notes);
    }

    /** A figure whose head type and context were not stated by its benchmark. */
    public Throughput(String model, String format, String backend, int threads, int batch, double tokensPerSecond,
                      Method method, Summary statistics, double tokensPerSecondLow, double tokensPerSecondHigh,
                      List<BenchmarkId> basis, List<String> notes) {
        this(model, format, backend, threads, batch, tokensPerSecond, method, statistics, tokensPerSecondLow, tokensPerSecondHigh,
                basis, notes, null, -1);
    }

    /** A copy with one more note. */
    public Throughput withNote(String note) {
        List<String> n = new java.util.ArrayList<>(notes);
        n.add(note);
        return new Throughput(model, format, backend, threads, batch, tokensPerSecond, method, statistics, tokensPerSecondLow,
                tokensPerSecondHigh, basis, n, headFormat, contextTokens);
    }

    /** A label of the configuration: {@code i2_s/vector/t1} (with {@code /b4} when batched). */
    public String configLabel() {
        return (format == null ? "?" : format) + "/" + (backend == null ? "?" : backend) + "/t" + threads + (batch > 1 ? "/b" + batch : "");
    }
}
