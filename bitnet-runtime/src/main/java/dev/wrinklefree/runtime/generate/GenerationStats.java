package dev.wrinklefree.runtime.generate;

import org.HdrHistogram.Histogram;

/**
 * Timings of one generation.
 *
 * @param promptTokens      tokens in the prompt
 * @param generatedTokens   tokens generated (the first comes from the prompt's logits)
 * @param prefillNanos      time to evaluate the prompt
 * @param firstTokenNanos   time from the start to the first generated token (prefill plus sampling)
 * @param decodeNanos       total time of the decode steps (one per generated token after the first)
 * @param decodeSteps       number of decode steps
 * @param stepLatency       per decode step latency in nanoseconds (each step: forward pass and sampling)
 */
public record GenerationStats(int promptTokens, int generatedTokens, long prefillNanos, long firstTokenNanos,
                              long decodeNanos, int decodeSteps, Histogram stepLatency) {
    /** Prompt tokens per second of prefill; NaN without prompt. */
    public double promptTokensPerSecond() {
        return prefillNanos > 0 ? promptTokens * 1e9 / prefillNanos : Double.NaN;
    }

    /** Decode steps per second (generated tokens after the first); NaN without steps. */
    public double generatedTokensPerSecond() {
        return decodeNanos > 0 ? decodeSteps * 1e9 / decodeNanos : Double.NaN;
    }

    /** Time to first token in milliseconds. */
    public double timeToFirstTokenMillis() {
        return firstTokenNanos / 1e6;
    }

    /** A percentile (0-100) of the decode step latency in milliseconds; NaN without steps. */
    public double stepLatencyMillis(double percentile) {
        return stepLatency.getTotalCount() == 0 ? Double.NaN : stepLatency.getValueAtPercentile(percentile) / 1e6;
    }
}
