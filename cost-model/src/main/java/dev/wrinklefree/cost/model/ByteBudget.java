package dev.wrinklefree.cost.model;

/**
 * Bytes a batch-1 decode step reads and the memory a model needs, for one storage choice.
 *
 * <p>Per token a decode step reads every active linear weight once, the LM head once, and the KV cache of
 * the context so far. Embedding lookups read one row and are ignored; norms are small and ignored for
 * bandwidth but counted in memory.
 *
 * @param bodyFormat storage of the linear (BitLinear) weights, e.g. {@link WeightFormat#I2_S}
 * @param headFormat storage of the LM head (and of the embedding when tied)
 * @param kvBytesPerElement bytes per K/V element (2 for f16)
 * @param contextTokens context length at which the KV cache is counted, tokens {@code >= 0}
 */
public record ByteBudget(WeightFormat bodyFormat, WeightFormat headFormat, double kvBytesPerElement, int contextTokens) {
    /** The defaults: f16 head, f16 KV cache, 1024 tokens of context. */
    public static ByteBudget of(WeightFormat body) {
        return new ByteBudget(body, WeightFormat.F16, 2.0, 1024);
    }

    public ByteBudget {
        if (kvBytesPerElement <= 0 || contextTokens < 0) {
            throw new IllegalArgumentException("KV bytes per element must be > 0 and context tokens >= 0");
        }
    }

    /** A copy with another context length. */
    public ByteBudget withContextTokens(int tokens) {
        return new ByteBudget(bodyFormat, headFormat, kvBytesPerElement, tokens);
    }

    /** A copy with another head format. */
    public ByteBudget withHeadFormat(WeightFormat f) {
        return new ByteBudget(bodyFormat, f, kvBytesPerElement, contextTokens);
    }

    /** Bytes of active linear weights read per token. */
    public double bodyBytesPerToken(ModelSpec m) {
        return bodyFormat.bytesFor(m.activeLinearParams());
    }

    /** Bytes of the LM head read per token. */
    public double headBytesPerToken(ModelSpec m) {
        return headFormat.bytesFor((long) m.vocab() * m.hidden());
    }

    /** Bytes of KV cache read per token at {@link #contextTokens()}. */
    public double kvBytesPerToken(ModelSpec m) {
        return m.kvCacheBytesPerToken(kvBytesPerElement) * contextTokens;
    }

    /** All bytes a batch-1 decode step reads: body + head + KV cache. */
    public double bytesPerToken(ModelSpec m) {
        return bodyBytesPerToken(m) + headBytesPerToken(m) + kvBytesPerToken(m);
    }

    /**
     * Memory to hold the model and one sequence's KV cache: all linear weights (all experts), the embedding
     * (in the head format when tied, else f16), a separate head, f32 norms and router, KV cache.
     *
     * @return bytes
     */
    public double memoryBytes(ModelSpec m) {
        double embedding = (m.tiedEmbeddings() ? headFormat : WeightFormat.F16).bytesFor(m.embeddingParams());
        return bodyFormat.bytesFor(m.linearParams()) + embedding + headFormat.bytesFor(m.separateHeadParams())
                + 4.0 * (m.normParams() + m.routerParams()) + kvBytesPerToken(m);
    }
}
