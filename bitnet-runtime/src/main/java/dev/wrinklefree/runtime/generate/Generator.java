package dev.wrinklefree.runtime.generate;

import dev.wrinklefree.runtime.decoder.Session;
import dev.wrinklefree.runtime.tokenizer.Tokenizer;
import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.Objects;

/**
 * Generates tokens: evaluates a prompt, then samples and decodes one token at a time until a token
 * limit or an end-of-generation token, reporting each token as it comes and timing every step.
 */
public final class Generator {
    /** Receives each generated token as soon as it is chosen. */
    @FunctionalInterface
    public interface TokenListener {
        /**
         * @param token the id
         * @param index 0 for the first generated token
         */
        void onToken(int token, int index);
    }

    /**
     * The outcome of a generation.
     *
     * @param prompt    the prompt token ids
     * @param generated the generated token ids (including a final end-of-generation token if one came)
     * @param stopped   why generation ended
     * @param stats     timings
     */
    public record Result(int[] prompt, int[] generated, StopReason stopped, GenerationStats stats) {
    }

    /** Why generation ended. */
    public enum StopReason {
        /** The requested number of tokens was reached. */
        LENGTH,
        /** The model produced an end-of-generation token. */
        END_OF_GENERATION,
        /** The session's context is full. */
        CONTEXT_FULL
    }

    private final Session session;
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private boolean stopAtEog = true;

    public Generator(Session session, Tokenizer tokenizer, Sampler sampler) {
        this.session = Objects.requireNonNull(session, "session");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.sampler = Objects.requireNonNull(sampler, "sampler");
    }

    /** Whether to stop at an end-of-generation token (default true); false generates exactly the requested count. */
    public Generator stopAtEndOfGeneration(boolean stop) {
        this.stopAtEog = stop;
        return this;
    }

    /**
     * Evaluates {@code prompt} from the session's current position and generates up to {@code maxTokens} tokens.
     *
     * @throws IllegalArgumentException if the prompt is empty or does not fit the context
     */
    public Result generate(int[] prompt, int maxTokens, TokenListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("token count must be >= 0, got " + maxTokens);
        }
        int[] out = new int[maxTokens];
        Histogram hist = new Histogram(3_600_000_000_000L, 3);
        long t0 = System.nanoTime();
        float[] logits = session.prefill(prompt);
        long tPrefill = System.nanoTime();
        int n = 0;
        StopReason why = StopReason.LENGTH;
        long tFirst = tPrefill;
        long decodeNanos = 0;
        int steps = 0;
        if (maxTokens > 0) {
            int tok = sampler.sample(logits);
            tFirst = System.nanoTime();
            out[n++] = tok;
            listener.onToken(tok, 0);
            while (n < maxTokens) {
                if (stopAtEog && tokenizer.isEndOfGeneration(tok)) {
                    why = StopReason.END_OF_GENERATION;
                    break;
                }
                if (session.position() >= session.contextLength()) {
                    why = StopReason.CONTEXT_FULL;
                    break;
                }
                long s = System.nanoTime();
                logits = session.decode(tok);
                tok = sampler.sample(logits);
                long e = System.nanoTime();
                hist.recordValue(Math.max(1, e - s));
                decodeNanos += e - s;
                steps++;
                out[n++] = tok;
                listener.onToken(tok, n - 1);
            }
            if (why == StopReason.LENGTH && stopAtEog && tokenizer.isEndOfGeneration(tok)) {
                why = StopReason.END_OF_GENERATION;
            }
        }
        GenerationStats stats = new GenerationStats(prompt.length, n, tPrefill - t0, tFirst - t0, decodeNanos, steps, hist);
        return new Result(prompt.clone(), Arrays.copyOf(out, n), why, stats);
    }
}
