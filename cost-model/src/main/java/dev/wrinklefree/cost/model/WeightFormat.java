package dev.wrinklefree.cost.model;

import java.util.Locale;

/**
 * Storage formats of weight tensors, by their size only (the cost model needs bytes, not layouts).
 * The ternary figures match {@code bitnet-kernels}' {@code TernaryFormat}; this module restates them so
 * that it depends on none of the project's other modules.
 */
public enum WeightFormat {
    /** bitnet.cpp I2_S: 128 weights in 32 bytes (plus a 32-byte scale tail per tensor, not counted). */
    I2_S(2.0),
    /** ggml TQ2_0: 256 weights in 66 bytes. */
    TQ2_0(66 * 8.0 / 256),
    /** ggml TQ1_0: 256 weights in 54 bytes. */
    TQ1_0(54 * 8.0 / 256),
    /** IEEE half precision. */
    F16(16.0),
    /** bfloat16. */
    BF16(16.0),
    /** single precision. */
    F32(32.0),
    /** ggml Q8_0: 32 weights in 34 bytes. */
    Q8_0(34 * 8.0 / 32),
    /** ggml Q6_K: 256 weights in 210 bytes. */
    Q6_K(210 * 8.0 / 256),
    /** ggml Q4_0: 32 weights in 18 bytes. */
    Q4_0(18 * 8.0 / 32);

    private final double bitsPerWeight;

    WeightFormat(double bitsPerWeight) {
        this.bitsPerWeight = bitsPerWeight;
    }

    /** Storage bits per weight, per-tensor tails not counted. */
    public double bitsPerWeight() {
        return bitsPerWeight;
    }

    /** Bytes to store {@code weights} weights. */
    public double bytesFor(long weights) {
        return weights * bitsPerWeight / 8.0;
    }

    /** The lower-case name used on the command line and in benchmark parameters ({@code i2_s}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a format name in any case, with {@code -} or {@code _} ({@code i2_s}, {@code TQ2-0}).
     *
     * @throws IllegalArgumentException listing the known formats
     */
    public static WeightFormat parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (WeightFormat f : values()) {
            if (f.name().equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown weight format '" + text + "'; known: i2_s, tq2_0, tq1_0, f16, bf16, f32, q8_0, q6_k, q4_0");
    }
}
