package dev.wrinklefree.runtime.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The decoder architectures this runtime reads, named as {@code general.architecture} names them in
 * llama.cpp and bitnet.cpp's fork, with the choices that differ between them.
 *
 * <ul>
 *   <li>{@link #BITNET}: 1bitLLM models and bitnet.cpp's dummy models; SiLU-gated FFN, sub-norms before
 *       o_proj and down_proj, LM head = token embedding.
 *   <li>{@link #BITNET_B158}: microsoft/BitNet-b1.58-2B-4T; squared-ReLU-gated FFN, sub-norms,
 *       grouped-query attention, LM head = token embedding. {@link #BITNET_25} is the same graph.
 *   <li>{@link #LLAMA}: a LLaMA graph with ternary weights (e.g. HF1BitLLM/Llama3-8B-1.58); no sub-norms,
 *       its own {@code output.weight} when present, RoPE on adjacent pairs.
 * </ul>
 * All use RMSNorm and rotary position embeddings; the BitNet ones rotate NEOX-style pairs {@code (i, i+d/2)}.
 */
public enum Architecture {
    BITNET("bitnet", FfnActivation.SILU, RopeStyle.NEOX, true),
    BITNET_B158("bitnet-b1.58", FfnActivation.RELU_SQUARED, RopeStyle.NEOX, true),
    BITNET_25("bitnet-25", FfnActivation.RELU_SQUARED, RopeStyle.NEOX, true),
    LLAMA("llama", FfnActivation.SILU, RopeStyle.NORMAL, false);

    /** The gate activation of the FFN ({@code act(gate) * up}). */
    public enum FfnActivation {
        /** {@code x / (1 + e^-x)}. */
        SILU,
        /** {@code max(x, 0)^2}. */
        RELU_SQUARED
    }

    /** Which head dimensions RoPE rotates together. */
    public enum RopeStyle {
        /** Pairs {@code (2i, 2i+1)} (llama.cpp's LLAMA_ROPE_TYPE_NORM). */
        NORMAL,
        /** Pairs {@code (i, i + n_rot/2)} (LLAMA_ROPE_TYPE_NEOX). */
        NEOX
    }

    private final String ggufName;
    private final FfnActivation activation;
    private final RopeStyle ropeStyle;
    private final boolean headIsTokenEmbedding;

    Architecture(String ggufName, FfnActivation activation, RopeStyle ropeStyle, boolean headIsTokenEmbedding) {
        this.ggufName = ggufName;
        this.activation = activation;
        this.ropeStyle = ropeStyle;
        this.headIsTokenEmbedding = headIsTokenEmbedding;
    }

    /** The {@code general.architecture} value, also the prefix of the architecture's metadata keys. */
    public String ggufName() {
        return ggufName;
    }

    public FfnActivation activation() {
        return activation;
    }

    public RopeStyle ropeStyle() {
        return ropeStyle;
    }

    /**
     * Whether the reference runtime always projects logits with {@code token_embd.weight} (bitnet.cpp's
     * BitNet graphs do, even if the file holds an {@code output.weight}).
     */
    public boolean headIsTokenEmbedding() {
        return headIsTokenEmbedding;
    }

    /** The architecture named so in GGUF. */
    public static Optional<Architecture> ofGgufName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Architecture a : values()) {
            if (a.ggufName.equals(n)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
