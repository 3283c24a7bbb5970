package dev.wrinklefree.runtime.gguf;

import java.util.Objects;

/**
 * A GGUF array value, held as one primitive Java array per element type: UINT8/INT8 {@code byte[]},
 * UINT16/INT16 {@code short[]}, UINT32/INT32 {@code int[]} (UINT32 bit pattern), UINT64/INT64
 * {@code long[]}, FLOAT32 {@code float[]}, FLOAT64 {@code double[]}, BOOL {@code boolean[]},
 * STRING {@code String[]}, ARRAY {@code GgufArray[]}.
 *
 * @param elementType type of every element
 * @param values      the primitive array as above; not copied, do not modify
 */
public record GgufArray(GgufValueType elementType, Object values) {
    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(values, "values");
        Class<?> want = switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
        if (values.getClass() != want) {
            throw new IllegalArgumentException(elementType + " array needs a " + want.getSimpleName()
                    + ", got " + values.getClass().getSimpleName());
        }
    }

    /** Number of elements. */
    public int length() {
        return java.lang.reflect.Array.getLength(values);
    }

    public static GgufArray ofStrings(String... s) {
        return new GgufArray(GgufValueType.STRING, s);
    }

    public static GgufArray ofFloats(float... f) {
        return new GgufArray(GgufValueType.FLOAT32, f);
    }

    public static GgufArray ofInt32(int... v) {
        return new GgufArray(GgufValueType.INT32, v);
    }

    @Override
    public String toString() {
        return "[" + elementType + " x " + length() + "]";
    }
}
