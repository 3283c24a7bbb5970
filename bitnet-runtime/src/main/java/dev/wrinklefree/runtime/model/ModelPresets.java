package dev.wrinklefree.runtime.model;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Named model shapes (MODELS.md), for synthetic models and memory estimates, plus tiny shapes for tests.
 * Figures are the published configs; the synthetic models use them with random ternary weights.
 */
public final class ModelPresets {
    private static final Map<String, ModelConfig> PRESETS = new LinkedHashMap<>();

    static {
        add(new ModelConfig("bitnet-2b-4t", Architecture.BITNET_B158, 2560, 6912, 30, 20, 5, 128, 128, 128256, 4096,
                500000f, 1f, 1e-5f));
        add(new ModelConfig("llama3-8b-1.58", Architecture.LLAMA, 4096, 14336, 32, 32, 8, 128, 128, 128256, 8192,
                500000f, 1f, 1e-5f));
        add(new ModelConfig("bitnet-700m", Architecture.BITNET, 1536, 4096, 24, 16, 16, 96, 96, 32002, 2048,
                10000f, 1f, 1e-5f));
        add(new ModelConfig("llama-3.1-70b", Architecture.LLAMA, 8192, 28672, 80, 64, 8, 128, 128, 128256, 131072,
                500000f, 1f, 1e-5f));
        // Tiny shapes for tests and quick runs. "tiny" is the conformance model's shape.
        add(new ModelConfig("tiny", Architecture.BITNET, 256, 768, 2, 4, 4, 64, 64, 32002, 256, 10000f, 1f, 1e-5f));
        add(new ModelConfig("tiny-gqa", Architecture.BITNET_B158, 256, 768, 2, 4, 2, 64, 64, 512, 256, 500000f, 1f, 1e-5f));
        add(new ModelConfig("tiny-llama", Architecture.LLAMA, 256, 512, 2, 2, 1, 128, 128, 384, 256, 10000f, 1f, 1e-5f));
    }

    private ModelPresets() {
    }

    private static void add(ModelConfig c) {
        PRESETS.put(c.name(), c);
    }

    /**
     * The preset with this id.
     *
     * @throws IllegalArgumentException listing the known ids when unknown
     */
    public static ModelConfig byId(String id) {
        ModelConfig c = PRESETS.get(id.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown model '" + id + "' (known: " + String.join(", ", PRESETS.keySet()) + ")");
        }
        return c;
    }

    /** All presets by id, in a stable order (read-only). */
    public static Map<String, ModelConfig> all() {
        return java.util.Collections.unmodifiableMap(PRESETS);
    }

    /** Preset ids in a stable order. */
    public static java.util.List<String> ids() {
        return java.util.List.copyOf(PRESETS.keySet());
    }
}
