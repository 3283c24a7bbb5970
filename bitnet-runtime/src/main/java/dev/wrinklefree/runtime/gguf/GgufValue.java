package dev.wrinklefree.runtime.gguf;

import java.util.Objects;

/**
 * One metadata value as read from (or to be written to) a GGUF file.
 *
 * <p>Scalars are boxed: UINT8, INT8, UINT16, INT16 and INT32 as {@link Integer}; UINT32, UINT64 and INT64
 * as {@link Long} (UINT64 above 2^63-1 reads as a negative long); FLOAT32 as {@link Float}, FLOAT64 as
 * {@link Double}, BOOL as {@link Boolean}, STRING as {@link String}. Arrays are a {@link GgufArray}.
 *
 * @param type   the GGUF value type
 * @param value  the value, as above
 * @param offset byte offset of the value in the file it was read from, or -1 for values built in memory
 */
public record GgufValue(GgufValueType type, Object value, long offset) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    public static GgufValue of(GgufValueType type, Object value) {
        return new GgufValue(type, value, -1);
    }

    public static GgufValue ofString(String s) {
        return of(GgufValueType.STRING, s);
    }

    public static GgufValue ofUInt32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("UINT32 value out of range: " + v);
        }
        return of(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return of(GgufValueType.INT32, v);
    }

    public static GgufValue ofUInt64(long v) {
        return of(GgufValueType.UINT64, v);
    }

    public static GgufValue ofFloat32(float v) {
        return of(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return of(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufArray a) {
        return of(GgufValueType.ARRAY, a);
    }

    /** Whether this is an integer type (any width, signed or not). */
    public boolean isInteger() {
        return switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return type == GgufValueType.STRING ? '"' + value.toString() + '"' : value.toString();
    }
}
