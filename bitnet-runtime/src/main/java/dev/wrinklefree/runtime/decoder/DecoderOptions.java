package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.TernaryKernel;

import java.util.Objects;

/**
 * How a {@link Decoder} runs a model.
 *
 * @param kernel    the ternary matmul kernel (any backend: {@link Kernels#preferred()}, {@link Kernels#byName})
 * @param threads   threads that work on each step, the caller included, at least 1
 * @param batchSize most prompt tokens evaluated in one forward pass (prefill chunks), at least 1
 */
public record DecoderOptions(TernaryKernel kernel, int threads, int batchSize) {
    /** Prefill chunk used when none is given: enough to amortize weight reads, small enough for L2. */
    public static final int DEFAULT_BATCH = 128;

    public DecoderOptions {
        Objects.requireNonNull(kernel, "kernel");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
    }

    /** The preferred kernel, one thread, the default batch. */
    public static DecoderOptions defaults() {
        return new DecoderOptions(Kernels.preferred(), 1, DEFAULT_BATCH);
    }

    public DecoderOptions withThreads(int t) {
        return new DecoderOptions(kernel, t, batchSize);
    }

    public DecoderOptions withKernel(TernaryKernel k) {
        return new DecoderOptions(k, threads, batchSize);
    }

    public DecoderOptions withBatchSize(int b) {
        return new DecoderOptions(kernel, threads, b);
    }
}
