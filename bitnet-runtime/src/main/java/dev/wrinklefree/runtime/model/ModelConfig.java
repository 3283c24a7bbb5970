package dev.wrinklefree.runtime.model;

import dev.wrinklefree.runtime.gguf.GgufException;
import dev.wrinklefree.runtime.gguf.GgufMetadata;

import java.util.Locale;
import java.util.Objects;

/**
 * The hyperparameters of a BitNet-style decoder.
 *
 * @param name          a label (preset id or {@code general.name})
 * @param architecture  the graph variant
 * @param hiddenSize    embedding width {@code n_embd}
 * @param ffnSize       FFN inner width {@code n_ff}
 * @param layers        transformer blocks
 * @param heads         query heads
 * @param kvHeads       key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headDim       values per head
 * @param ropeDims      head dimensions RoPE rotates ({@code n_rot}), even, at most {@code headDim}
 * @param vocabSize     tokens in the vocabulary (rows of the embedding)
 * @param contextLength the context the model was trained for, in tokens
 * @param ropeTheta     RoPE base frequency
 * @param ropeFreqScale RoPE linear frequency scale ({@code 1 / rope.scaling.factor}; 1 for none)
 * @param rmsEps        RMSNorm epsilon
 */
public record ModelConfig(String name, Architecture architecture, int hiddenSize, int ffnSize, int layers, int heads,
                          int kvHeads, int headDim, int ropeDims, int vocabSize, int contextLength, float ropeTheta,
                          float ropeFreqScale, float rmsEps) {
    public ModelConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        if (hiddenSize < 1 || ffnSize < 1 || layers < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || vocabSize < 1
                || contextLength < 1) {
            throw new IllegalArgumentException(name + ": every size must be positive: " + describe(hiddenSize, ffnSize,
                    layers, heads, kvHeads, headDim, vocabSize, contextLength));
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": query heads (" + heads + ") must be a multiple of key/value heads ("
                    + kvHeads + ")");
        }
        if (ropeDims < 0 || ropeDims > headDim || ropeDims % 2 != 0) {
            throw new IllegalArgumentException(name + ": RoPE dimensions " + ropeDims + " must be even and at most the head size "
                    + headDim);
        }
        if (!(rmsEps > 0) || !(ropeTheta > 0) || !(ropeFreqScale > 0)) {
            throw new IllegalArgumentException(name + ": rms epsilon, rope theta and rope frequency scale must be positive");
        }
    }

    private static String describe(int h, int f, int l, int nh, int kv, int hd, int v, int c) {
        return String.format(Locale.ROOT, "hidden %d, ffn %d, layers %d, heads %d, kv heads %d, head dim %d, vocab %d, ctx %d",
                h, f, l, nh, kv, hd, v, c);
    }

    /** Width of the query projection output: {@code heads * headDim}. */
    public int queryDim() {
        return heads * headDim;
    }

    /** Width of each of the key and value projections: {@code kvHeads * headDim}. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Ternary weights per layer: q, k, v, o, gate, up, down. */
    public long ternaryWeightsPerLayer() {
        long h = hiddenSize;
        return h * queryDim() + 2L * h * kvDim() + (long) queryDim() * h + 3L * h * ffnSize;
    }

    /** Ternary weights of the whole model. */
    public long ternaryWeights() {
        return ternaryWeightsPerLayer() * layers;
    }

    /** Bytes of K and V cache per context token at 2 bytes per value (F16). */
    public long kvCacheBytesPerToken() {
        return 2L * 2 * kvDim() * layers;
    }

    /** A copy with another name. */
    public ModelConfig withName(String n) {
        return new ModelConfig(n, architecture, hiddenSize, ffnSize, layers, heads, kvHeads, headDim, ropeDims, vocabSize,
                contextLength, ropeTheta, ropeFreqScale, rmsEps);
    }

    /** A copy with another vocabulary size. */
    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(name, architecture, hiddenSize, ffnSize, layers, heads, kvHeads, headDim, ropeDims, v,
                contextLength, ropeTheta, ropeFreqScale, rmsEps);
    }

    /**
     * Reads the hyperparameters from GGUF metadata ({@code <arch>.*} keys, llama.cpp's names and defaults).
     *
     * @param vocabFallback vocabulary size to use when neither {@code <arch>.vocab_size} nor the token list gives one
     * @throws GgufException naming the key that is missing, malformed or unsupported
     */
    public static ModelConfig fromGguf(GgufMetadata md, int vocabFallback) throws GgufException {
        String archName = md.getString("general.architecture");
        Architecture arch = Architecture.ofGgufName(archName).orElseThrow(() -> new GgufException(md.file(),
                md.get("general.architecture").get().offset(), "general.architecture", "unsupported architecture '" + archName
                + "' (supported: bitnet, bitnet-b1.58, bitnet-25, llama)"));
        String p = arch.ggufName() + ".";
        int big = 1 << 24;
        int hidden = md.getInt(p + "embedding_length", 1, big);
        int ffn = md.getInt(p + "feed_forward_length", 1, big);
        int layers = md.getInt(p + "block_count", 1, 100_000);
        int heads = md.getInt(p + "attention.head_count", 1, 1 << 16);
        int kvHeads = md.getInt(p + "attention.head_count_kv", 1, 1 << 16, heads);
        int headDim = md.getInt(p + "attention.key_length", 1, 1 << 16, hidden / heads);
        int valueDim = md.getInt(p + "attention.value_length", 1, 1 << 16, headDim);
        if (valueDim != headDim) {
            throw new GgufException(md.file(), -1, p + "attention.value_length", "value head size " + valueDim
                    + " differs from key head size " + headDim + " (not supported)");
        }
        int ropeDims = md.getInt(p + "rope.dimension_count", 0, 1 << 16, headDim);
        int ctx = md.getInt(p + "context_length", 1, 1 << 28, 2048);
        float theta = md.getFloat(p + "rope.freq_base", 10000f);
        float eps = md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        float freqScale = 1f;
        String scaling = md.getString(p + "rope.scaling.type", "linear");
        switch (scaling) {
            case "none", "linear" -> {
                float factor = md.getFloat(p + "rope.scaling.factor", md.getFloat(p + "rope.scale_linear", 0f));
                freqScale = factor == 0f ? 1f : 1f / factor;
            }
            default -> throw new GgufException(md.file(), md.get(p + "rope.scaling.type").get().offset(),
                    p + "rope.scaling.type", "RoPE scaling '" + scaling + "' is not supported (none, linear)");
        }
        int vocab;
        if (md.contains(p + "vocab_size")) {
            vocab = md.getInt(p + "vocab_size", 1, 1 << 28);
        } else if (md.contains("tokenizer.ggml.tokens")) {
            vocab = md.getStringArray("tokenizer.ggml.tokens").length;
        } else {
            vocab = vocabFallback;
        }
        String name = md.getString("general.name", arch.ggufName());
        try {
            return new ModelConfig(name, arch, hidden, ffn, layers, heads, kvHeads, headDim, ropeDims, vocab, ctx, theta,
                    freqScale, eps);
        } catch (IllegalArgumentException e) {
            throw new GgufException(md.file(), -1, p + "*", e.getMessage());
        }
    }

    /** Writes these hyperparameters as llama.cpp / bitnet.cpp name them (no tokenizer, no file type). */
    public void writeTo(GgufMetadata md) {
        String p = architecture.ggufName() + ".";
        md.putString("general.architecture", architecture.ggufName());
        md.putString("general.name", name);
        md.putUInt32(p + "vocab_size", vocabSize);
        md.putUInt32(p + "context_length", contextLength);
        md.putUInt32(p + "embedding_length", hiddenSize);
        md.putUInt32(p + "block_count", layers);
        md.putUInt32(p + "feed_forward_length", ffnSize);
        md.putUInt32(p + "attention.head_count", heads);
        md.putUInt32(p + "attention.head_count_kv", kvHeads);
        if (headDim != hiddenSize / heads) {
            md.putUInt32(p + "attention.key_length", headDim);
            md.putUInt32(p + "attention.value_length", headDim);
        }
        md.putUInt32(p + "rope.dimension_count", ropeDims);
        md.putFloat32(p + "rope.freq_base", ropeTheta);
        md.putFloat32(p + "attention.layer_norm_rms_epsilon", rmsEps);
        if (ropeFreqScale != 1f) {
            md.putString(p + "rope.scaling.type", "linear");
            md.putFloat32(p + "rope.scaling.factor", 1f / ropeFreqScale);
        }
    }
}
