package dev.wrinklefree.runtime.gguf;

import java.util.Optional;

/** GGUF metadata value types, with the ids the format assigns and the fixed byte size of scalar ones. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** uint64 byte length then UTF-8 bytes (no terminator). */
    STRING(8, 8),
    /** uint32 element type, uint64 count, then the elements. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The id written before each value. */
    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type takes in a file (the fixed size of scalars). */
    public int minBytes() {
        return minBytes;
    }

    /** The type with this id. */
    public static Optional<GgufValueType> ofId(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
