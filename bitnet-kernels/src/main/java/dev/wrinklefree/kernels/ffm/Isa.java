package dev.wrinklefree.kernels.ffm;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The ISA paths of the native kernels, in order of preference. The ids are those of {@code wf_internal.h};
 * the names are the variants of the {@code native} backend ({@code native:avx2}, ...).
 */
public enum Isa {
    /** AVX-512 VNNI: {@code vpdpbusd} on 512-bit vectors. */
    AVX512_VNNI(4, "avx512vnni"),
    /**
     * AVX-512 VNNI on 256-bit vectors (EVEX-encoded {@code vpdpbusd}): the {@link #AVX_VNNI} code, so CPUs with
     * AVX-512 VNNI test that path too; never chosen automatically ({@link #AVX512_VNNI} is there whenever it is).
     */
    AVX512_VNNI256(5, "avx512vnni256"),
    /** AVX-512 BW: {@code vpmaddubsw} on 512-bit vectors, widened to int32 every 32 additions. */
    AVX512_BW(3, "avx512bw"),
    /** AVX-VNNI: {@code vpdpbusd} on 256-bit vectors (VEX encoded; Alder Lake and later, Zen 5). */
    AVX_VNNI(2, "avxvnni"),
    /** AVX2: {@code vpmaddubsw} on 256-bit vectors (ggml's approach). */
    AVX2(1, "avx2"),
    /** Portable C, bit-identical to the Java scalar oracle; any CPU. */
    SCALAR(0, "scalar");

    private final int id;
    private final String variantName;

    Isa(int id, String variantName) {
        this.id = id;
        this.variantName = variantName;
    }

    /** The id the C dispatcher knows this path by (0..5). */
    public int id() {
        return id;
    }

    /** The variant name: {@code native:<variantName>} selects this path. */
    public String variantName() {
        return variantName;
    }

    /** The paths whose bit is set in a {@code wf_compiled_isas} / {@code wf_usable_isas} mask, preferred first. */
    static List<Isa> fromMask(int mask) {
        return Arrays.stream(values()).filter(i -> (mask & (1 << i.id)) != 0).toList();
    }

    /**
     * The path with this variant name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the known names
     */
    public static Isa parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Isa i : values()) {
            if (i.variantName.equals(n)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown native ISA path '" + name + "' (known: " + names(List.of(values())) + ")");
    }

    static String names(List<Isa> isas) {
        return isas.stream().map(Isa::variantName).collect(Collectors.joining(", "));
    }
}
