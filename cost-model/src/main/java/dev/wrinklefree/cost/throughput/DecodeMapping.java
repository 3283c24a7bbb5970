package dev.wrinklefree.cost.throughput;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How to read tokens per second from a decode benchmark: which benchmarks count, and which parameters
 * name the model, format, backend, threads, batch, phase, LM head type and context.
 *
 * <p>One JMH op is taken as one decode step; a step yields one token per sequence of the batch, so
 * tokens/s = ops/s x batch (batch is 1 when the benchmark has no batch parameter). Time-per-op modes are
 * converted per iteration ({@code 1 / time}).
 *
 * <p>A benchmark with a {@code phase} parameter measures generation only when it is {@code decode}; with
 * {@code prefill} (or {@code prompt}) one op is one prompt token, a prompt-processing rate that is reported
 * on its own and never priced as generated tokens. Without the parameter a benchmark counts as decode.
 *
 * @param benchmarkPattern regular expression the full benchmark name must contain (find, not match)
 * @param modelParam parameter holding the model id
 * @param formatParam parameter holding the weight format
 * @param backendParam parameter holding the kernel backend
 * @param threadsParam parameter holding the decoder's thread count; when absent, JMH's {@code threads}
 * @param batchParam parameter holding the batch size; when absent, 1
 * @param phaseParam parameter holding the phase ({@code decode} or {@code prefill}); when absent, decode
 * @param headParam parameter holding the LM head's storage type ({@code q8_0}, {@code f16}); when absent,
 *     the analysis option applies
 * @param contextParam parameter holding the tokens in the KV cache during a decode step; when absent, the
 *     analysis option applies
 */
public record DecodeMapping(Pattern benchmarkPattern, String modelParam, String formatParam, String backendParam,
                            String threadsParam, String batchParam, String phaseParam, String headParam, String contextParam) {
    /** The two phases a decode benchmark may measure. */
    public enum Phase {
        /** Generation: one op = one generated token (per sequence of the batch). */
        DECODE,
        /** Prompt processing: one op = one prompt token. */
        PREFILL
    }

    /** The project's {@code DecodeBenchmark}: parameters model, format, backend, threads, batch, phase, head, context. */
    public static DecodeMapping defaults() {
        return new DecodeMapping(Pattern.compile("DecodeBenchmark"), "model", "format", "backend", "threads", "batch",
                "phase", "head", "context");
    }

    /** A copy matching benchmarks by another regular expression. */
    public DecodeMapping withPattern(String regex) {
        return new DecodeMapping(Pattern.compile(regex), modelParam, formatParam, backendParam, threadsParam, batchParam,
                phaseParam, headParam, contextParam);
    }

    /** True when the benchmark's full name is a decode benchmark under this mapping. */
    public boolean matches(String benchmark) {
        return benchmarkPattern.matcher(benchmark).find();
    }

    /**
     * The phase a phase parameter value names: {@code decode} (or {@code null}, no parameter) is
     * {@link Phase#DECODE}; {@code prefill} or {@code prompt} is {@link Phase#PREFILL}; case-insensitive.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static Phase phase(String value) {
        if (value == null) {
            return Phase.DECODE;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "decode" -> Phase.DECODE;
            case "prefill", "prompt" -> Phase.PREFILL;
            default -> throw new IllegalArgumentException("phase must be decode or prefill, got '" + value + "'");
        };
    }
}
