package dev.wrinklefree.cost.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models the toolkit knows by name (shapes from their published configs; see MODELS.md). */
public final class ModelCatalog {
    private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

    static {
        add(new ModelSpec("bitnet-2b-4t", "microsoft/BitNet-b1.58-2B-4T", "native", 2560, 6912, 30, 20, 5, 128, 128256, true, true, 1, 1, 4096));
        add(new ModelSpec("llama3-8b-1.58", "HF1BitLLM/Llama3-8B-1.58-100B-tokens", "native", 4096, 14336, 32, 32, 8, 128, 128256, false, false, 1, 1, 8192));
        add(new ModelSpec("bitnet-700m", "1bitLLM/bitnet_b1_58-large", "native", 1536, 4096, 24, 16, 16, 96, 32002, false, false, 1, 1, 2048));
        add(new ModelSpec("llama-3.1-70b", "meta-llama/Llama-3.1-70B (naive ternary)", "naive", 8192, 28672, 80, 64, 8, 128, 128256, false, false, 1, 1, 131072));
        add(new ModelSpec("mixtral-8x7b", "mistralai/Mixtral-8x7B-v0.1 (naive ternary)", "naive", 4096, 14336, 32, 32, 8, 128, 32000, false, false, 8, 2, 32768));
    }

    private ModelCatalog() {
    }

    private static void add(ModelSpec m) {
        MODELS.put(m.id(), m);
    }

    /**
     * The model with this id.
     *
     * @throws IllegalArgumentException listing the known ids
     */
    public static ModelSpec get(String id) {
        ModelSpec m = MODELS.get(id);
        if (m == null) {
            throw new IllegalArgumentException("unknown model '" + id + "'; known: " + String.join(", ", MODELS.keySet()));
        }
        return m;
    }

    /** The model, or {@code null} when unknown. */
    public static ModelSpec find(String id) {
        return id == null ? null : MODELS.get(id);
    }

    /** Every known model. */
    public static List<ModelSpec> all() {
        return List.copyOf(MODELS.values());
    }
}
