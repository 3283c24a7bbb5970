package dev.wrinklefree.runtime.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order, with typed accessors whose errors name the file,
 * the key and the value's byte offset.
 *
 * <p>Mutable while a file is being built for writing ({@link #put}); the reader hands out a
 * read-only view.
 */
public final class GgufMetadata {
    private final Path file;
    private final Map<String, GgufValue> values;

    private GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = values;
    }

    /** An empty, mutable set of metadata for writing; {@code file} is used in error messages only. */
    public static GgufMetadata create(Path file) {
        return new GgufMetadata(file, new LinkedHashMap<>());
    }

    static GgufMetadata readOnly(Path file, Map<String, GgufValue> values) {
        return new GgufMetadata(file, Collections.unmodifiableMap(values));
    }

    /** Sets a value (replacing an earlier one under the same key, which keeps its position). */
    public GgufMetadata put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        values.put(key, value);
        return this;
    }

    public GgufMetadata putString(String key, String v) {
        return put(key, GgufValue.ofString(v));
    }

    public GgufMetadata putUInt32(String key, long v) {
        return put(key, GgufValue.ofUInt32(v));
    }

    public GgufMetadata putFloat32(String key, float v) {
        return put(key, GgufValue.ofFloat32(v));
    }

    public GgufMetadata putBool(String key, boolean v) {
        return put(key, GgufValue.ofBool(v));
    }

    public GgufMetadata putArray(String key, GgufArray v) {
        return put(key, GgufValue.ofArray(v));
    }

    /** Keys in file order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** All entries in file order (read-only). */
    public Map<String, GgufValue> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Number of entries. */
    public int size() {
        return values.size();
    }

    private GgufValue require(String key) throws GgufException {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufException(file, -1, key, "required metadata key is missing");
        }
        return v;
    }

    private GgufException wrongType(String key, GgufValue v, String expected) {
        return new GgufException(file, v.offset(), key, "expected " + expected + ", found " + v.type()
                + " " + abbreviate(v));
    }

    private static String abbreviate(GgufValue v) {
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** A STRING value. */
    public String getString(String key) throws GgufException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, v, "a STRING");
        }
        return (String) v.value();
    }

    /** A STRING value, or {@code fallback} when the key is absent. */
    public String getString(String key, String fallback) throws GgufException {
        return contains(key) ? getString(key) : fallback;
    }

    /** Any integer type whose value fits in a long (UINT64 above 2^63-1 is refused). */
    public long getLong(String key) throws GgufException {
        GgufValue v = require(key);
        if (!v.isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        long x = ((Number) v.value()).longValue();
        if (v.type() == GgufValueType.UINT64 && x < 0) {
            throw new GgufException(file, v.offset(), key, "UINT64 value " + Long.toUnsignedString(x) + " is too large");
        }
        return x;
    }

    /**
     * An integer value in {@code [min, max]}.
     *
     * @throws GgufException if absent, not an integer or out of range (names the range)
     */
    public int getInt(String key, int min, int max) throws GgufException {
        long x = getLong(key);
        if (x < min || x > max) {
            throw new GgufException(file, require(key).offset(), key, "value " + x + " outside [" + min + ", " + max + "]");
        }
        return (int) x;
    }

    /** As {@link #getInt(String, int, int)}, or {@code fallback} when the key is absent. */
    public int getInt(String key, int min, int max, int fallback) throws GgufException {
        return contains(key) ? getInt(key, min, max) : fallback;
    }

    /** A FLOAT32 or FLOAT64 value (integers are accepted too), as a float. */
    public float getFloat(String key) throws GgufException {
        GgufValue v = require(key);
        return switch (v.type()) {
            case FLOAT32, FLOAT64 -> ((Number) v.value()).floatValue();
            default -> {
                if (v.isInteger()) {
                    yield ((Number) v.value()).floatValue();
                }
                throw wrongType(key, v, "a float");
            }
        };
    }

    public float getFloat(String key, float fallback) throws GgufException {
        return contains(key) ? getFloat(key) : fallback;
    }

    /** A BOOL value, or {@code fallback} when absent. */
    public boolean getBoolean(String key, boolean fallback) throws GgufException {
        GgufValue v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v.type() != GgufValueType.BOOL) {
            throw wrongType(key, v, "a BOOL");
        }
        return (Boolean) v.value();
    }

    /** An ARRAY value whose elements are of the given type. */
    public GgufArray getArray(String key, GgufValueType elementType) throws GgufException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) {
            throw wrongType(key, v, "an ARRAY of " + elementType);
        }
        GgufArray a = (GgufArray) v.value();
        if (a.elementType() != elementType) {
            throw new GgufException(file, v.offset(), key, "expected an ARRAY of " + elementType
                    + ", found an ARRAY of " + a.elementType());
        }
        return a;
    }

    /** A STRING array. */
    public String[] getStringArray(String key) throws GgufException {
        return (String[]) getArray(key, GgufValueType.STRING).values();
    }

    /** A FLOAT32 array. */
    public float[] getFloatArray(String key) throws GgufException {
        return (float[]) getArray(key, GgufValueType.FLOAT32).values();
    }

    /** An INT32 (or UINT32) array, as ints. */
    public int[] getIntArray(String key) throws GgufException {
        GgufValue v = require(key);
        if (v.type() == GgufValueType.ARRAY && v.value() instanceof GgufArray a
                && (a.elementType() == GgufValueType.UINT32 || a.elementType() == GgufValueType.INT32)) {
            return (int[]) a.values();
        }
        throw wrongType(key, v, "an ARRAY of INT32");
    }

    /** The file these values belong to (for messages), possibly null. */
    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
