package dev.wrinklefree.cost.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The shapes of a transformer decoder, enough to count its weights and the bytes a decode step reads.
 *
 * @param id CLI id ({@code bitnet-2b-4t})
 * @param source where the config comes from (Hugging Face id)
 * @param quantization the seed's field: {@code native} (trained ternary) or {@code naive} (converted)
 * @param hidden model width
 * @param ffn feed-forward width (per expert)
 * @param layers decoder layers
 * @param heads attention heads
 * @param kvHeads key/value heads
 * @param headDim dimension per head
 * @param vocab vocabulary size
 * @param tiedEmbeddings whether the LM head shares the embedding matrix
 * @param subNorms whether each layer has the BitNet b1.58 sub-norms (before o_proj and down_proj)
 * @param experts FFN experts per layer (1 for a dense model)
 * @param activeExperts experts used per token (1 for a dense model)
 * @param maxContext longest context the model supports, tokens
 */
public record ModelSpec(String id, String source, String quantization, int hidden, int ffn, int layers, int heads,
                        int kvHeads, int headDim, int vocab, boolean tiedEmbeddings, boolean subNorms,
                        int experts, int activeExperts, int maxContext) {
    public ModelSpec {
        if (hidden <= 0 || ffn <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || vocab <= 0
                || experts <= 0 || activeExperts <= 0 || activeExperts > experts || maxContext <= 0) {
            throw new IllegalArgumentException("model " + id + ": every size must be positive and activeExperts <= experts");
        }
    }

    /** The matrices of one token's decode step: every layer's q, k, v, o, gate, up, down, then the LM head. */
    public List<Matmul> matmulsPerToken() {
        int q = heads * headDim;
        int kv = kvHeads * headDim;
        int ffnCount = layers * activeExperts;
        List<Matmul> m = new ArrayList<>();
        m.add(new Matmul("q", q, hidden, layers, true));
        m.add(new Matmul("k", kv, hidden, layers, true));
        m.add(new Matmul("v", kv, hidden, layers, true));
        m.add(new Matmul("o", hidden, q, layers, true));
        m.add(new Matmul("gate", ffn, hidden, ffnCount, true));
        m.add(new Matmul("up", ffn, hidden, ffnCount, true));
        m.add(new Matmul("down", hidden, ffn, ffnCount, true));
        m.add(new Matmul("head", vocab, hidden, 1, false));
        return m;
    }

    /** Ternary-able linear weights of the whole model (all experts). */
    public long linearParams() {
        int q = heads * headDim;
        int kv = kvHeads * headDim;
        long attn = 2L * q * hidden + 2L * kv * hidden;
        long ffnW = 3L * ffn * hidden * experts;
        return layers * (attn + ffnW);
    }

    /** Linear weights one token touches (active experts only). */
    public long activeLinearParams() {
        long sum = 0;
        for (Matmul mm : matmulsPerToken()) {
            if (mm.ternary()) {
                sum += mm.weights() * mm.countPerToken();
            }
        }
        return sum;
    }

    /** Embedding table weights: vocab x hidden. */
    public long embeddingParams() {
        return (long) vocab * hidden;
    }

    /** LM head weights stored separately: vocab x hidden, or 0 when tied to the embedding. */
    public long separateHeadParams() {
        return tiedEmbeddings ? 0 : (long) vocab * hidden;
    }

    /** Norm weights: two per layer, the sub-norms when present, the final norm. */
    public long normParams() {
        long perLayer = 2L * hidden + (subNorms ? hidden + ffn : 0);
        return layers * perLayer + hidden;
    }

    /** MoE router weights (experts x hidden per layer), 0 for dense models. */
    public long routerParams() {
        return experts > 1 ? (long) layers * experts * hidden : 0;
    }

    /** Every parameter: linear, embedding, separate head, norms and router. */
    public long totalParams() {
        return linearParams() + embeddingParams() + separateHeadParams() + normParams() + routerParams();
    }

    /** KV cache bytes per context token: 2 (K and V) x layers x kvHeads x headDim x bytes per element. */
    public double kvCacheBytesPerToken(double bytesPerElement) {
        return 2.0 * layers * kvHeads * headDim * bytesPerElement;
    }
}
