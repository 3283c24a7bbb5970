package dev.wrinklefree.runtime.gguf;

import java.util.Optional;

/**
 * The ggml tensor types a GGUF file may name, with block sizes and byte counts as ggml
 * ({@code ggml.c} type traits) and bitnet.cpp's llama.cpp fork define them.
 *
 * <p>Every id the fork knows is listed so that a file is validated whatever it holds; which types the
 * decoder can compute with is a separate question ({@link #isTernary()}, and the dense types of
 * {@code DenseMatrix}).
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    Q4_0_4_4(31, 32, 18),
    Q4_0_4_8(32, 32, 18),
    Q4_0_8_8(33, 32, 18),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    /** bitnet.cpp: 2-bit codes, 4 per byte, plus a 32-byte tail holding the f32 tensor scale. */
    I2_S(36, 1, 1),
    I8_S(37, 1, 1),
    /** bitnet.cpp lookup-table layouts (machine-specific preprocessed weights); sizes known, not computed here. */
    TL1(38, 1, 1),
    TL2(39, 1, 1);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The numeric id written in GGUF tensor infos. */
    public int id() {
        return id;
    }

    /** Elements per block; the innermost dimension {@code ne0} must be a multiple of it. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Whether this is one of the ternary formats the kernels compute (TQ1_0, TQ2_0, I2_S). */
    public boolean isTernary() {
        return this == TQ1_0 || this == TQ2_0 || this == I2_S;
    }

    /** The type with this id, if ggml or bitnet.cpp define one. */
    public static Optional<GgmlType> ofId(long id) {
        if (id < 0 || id >= BY_ID.length || BY_ID[(int) id] == null) {
            return Optional.empty();
        }
        return Optional.of(BY_ID[(int) id]);
    }

    /**
     * Bytes of a tensor of this type and shape, as ggml's {@code ggml_nbytes} computes them in the fork
     * (I2_S and TL1: {@code elements/4 + 32}; TL2: its own packing plus a 32-byte tail).
     *
     * @param ne the dimensions, innermost first, each at least 1
     * @throws ArithmeticException if the size overflows a long
     * @throws IllegalArgumentException if {@code ne[0]} is not a multiple of the block size
     */
    public long byteSize(long[] ne) {
        long elements = 1;
        for (long n : ne) {
            elements = Math.multiplyExact(elements, n);
        }
        if (ne.length == 0) {
            return typeSize;
        }
        if (ne[0] % blockSize != 0) {
            throw new IllegalArgumentException(name() + ": first dimension " + ne[0]
                    + " is not a multiple of the block size " + blockSize);
        }
        return switch (this) {
            case I2_S, TL1 -> elements / 4 + 32;
            case TL2 -> {
                long rows = elements / ne[0];
                if (ne[0] < 256) {
                    throw new IllegalArgumentException("TL2: first dimension " + ne[0] + " is below 256");
                }
                long n = (ne[0] - 256) * rows / 3 * 5 / 8 + 256 * rows / 2 * 4 / 8;
                if (n % 32 != 0) {
                    n += 32 - n % 32;
                }
                yield n + 32;
            }
            default -> Math.multiplyExact(elements / blockSize, (long) typeSize);
        };
    }
}
