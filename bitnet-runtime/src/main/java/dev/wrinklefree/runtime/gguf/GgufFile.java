package dev.wrinklefree.runtime.gguf;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF (version 2 or 3) file, memory-mapped once, read-only; tensor data is never copied.
 *
 * <p>Everything in the header is validated before it is used: magic, version, counts against the bytes
 * left in the file, string and array lengths, value and tensor type ids, dimensions, the alignment,
 * every tensor's offset and size against the data section, and overlaps. A bad file gives a
 * {@link GgufException} naming the file, the byte offset and the field; nothing reads past the end.
 *
 * <p>The mapping lives in the global arena ({@link #open}) or in a shared arena this object closes
 * ({@link #openCloseable}). Reading from several threads is safe.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;
    /** Alignment of the data section and of every tensor unless {@code general.alignment} says otherwise. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;
    /** Nesting limit for arrays of arrays (the format allows them; no real file nests deeper than 1). */
    static final int MAX_ARRAY_DEPTH = 8;

    private final Path path;
    /** The arena to close, or null for the global one. */
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> byName;
    private final long alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment file, int version, GgufMetadata metadata,
                     List<GgufTensorInfo> tensors, long alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.version = version;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableList(tensors);
        Map<String, GgufTensorInfo> m = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /**
     * Maps and validates a GGUF file for the life of the JVM (the global arena, as llama3.java does): reads of
     * the mapping and native calls that pass it carry no per-access liveness bookkeeping, which a shared
     * arena's atomic acquire/release would add to every kernel call from every thread. {@link #close()} then
     * does not unmap; use {@link #openCloseable(Path)} when the mapping must go away before the JVM does.
     *
     * @throws GgufException if the file is not valid GGUF (the message names offset and field)
     * @throws IOException   if it cannot be opened or mapped
     */
    public static GgufFile open(Path path) throws IOException {
        return open(path, Arena.global(), false);
    }

    /**
     * Maps and validates a GGUF file in a shared arena that {@link #close()} releases (unmapping the file);
     * slices and matrices taken from it then throw {@link IllegalStateException} when read. Slower to use
     * from several threads than {@link #open(Path)}.
     */
    public static GgufFile openCloseable(Path path) throws IOException {
        return open(path, Arena.ofShared(), true);
    }

    private static GgufFile open(Path path, Arena arena, boolean closeable) throws IOException {
        Arena owned = closeable ? arena : null;
        try {
            MemorySegment seg;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena).asReadOnly();
            }
            GgufFile f = parse(path, owned, seg);
            owned = null; // owned by f now
            return f;
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment seg) throws GgufException {
        Reader r = new Reader(path, seg);
        int magic = r.u32("magic");
        if (magic != MAGIC) {
            throw new GgufException(path, 0, "magic", String.format(
                    "not a GGUF file: expected bytes 47 47 55 46 (\"GGUF\"), found %02x %02x %02x %02x",
                    magic & 0xFF, (magic >>> 8) & 0xFF, (magic >>> 16) & 0xFF, (magic >>> 24) & 0xFF));
        }
        int version = r.u32("version");
        if (version != 2 && version != 3) {
            throw new GgufException(path, 4, "version", "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (expected 3, or 2)");
        }
        long tensorCountAt = r.pos;
        long tensorCount = r.u64("tensor_count");
        long kvCountAt = r.pos;
        long kvCount = r.u64("metadata_kv_count");
        // Each metadata entry takes at least 8 (key length) + 4 (type) + 1 bytes, each tensor info at least 24.
        if (Long.compareUnsigned(kvCount, r.remaining() / 13) > 0) {
            throw new GgufException(path, kvCountAt, "metadata_kv_count", Long.toUnsignedString(kvCount)
                    + " entries cannot fit in the " + r.remaining() + " bytes left in the file");
        }
        if (Long.compareUnsigned(tensorCount, r.remaining() / 24) > 0) {
            throw new GgufException(path, tensorCountAt, "tensor_count", Long.toUnsignedString(tensorCount)
                    + " tensor infos cannot fit in the " + r.remaining() + " bytes left in the file");
        }

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = r.pos;
            String key = r.string("metadata[" + i + "].key");
            if (kv.containsKey(key)) {
                throw new GgufException(path, at, "metadata[" + i + "].key", "duplicate key '" + key + "'");
            }
            long typeAt = r.pos;
            int typeId = r.u32("metadata['" + key + "'].type");
            GgufValueType type = GgufValueType.ofId(Integer.toUnsignedLong(typeId)).orElseThrow(() ->
                    new GgufException(path, typeAt, "metadata['" + key + "'].type", "unknown value type id "
                            + Integer.toUnsignedString(typeId) + " (expected 0..12)"));
            long valueAt = r.pos;
            Object v = r.value(type, "metadata['" + key + "']", 0);
            kv.put(key, new GgufValue(type, v, valueAt));
        }
        GgufMetadata metadata = GgufMetadata.readOnly(path, kv);

        long alignment = DEFAULT_ALIGNMENT;
        GgufValue al = kv.get("general.alignment");
        if (al != null) {
            if (al.type() != GgufValueType.UINT32 && al.type() != GgufValueType.INT32) {
                throw new GgufException(path, al.offset(), "general.alignment", "expected a UINT32, found " + al.type());
            }
            alignment = ((Number) al.value()).longValue();
            if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                throw new GgufException(path, al.offset(), "general.alignment", "must be a positive power of two, got "
                        + alignment);
            }
        }

        List<GgufTensorInfo> infos = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
        Map<String, Long> seen = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            long infoAt = r.pos;
            String f = "tensor_info[" + i + "]";
            String name = r.string(f + ".name");
            if (seen.containsKey(name)) {
                throw new GgufException(path, infoAt, f + ".name", "duplicate tensor name '" + name + "'");
            }
            seen.put(name, infoAt);
            f = "tensor_info[" + i + "] '" + name + "'";
            long dimsAt = r.pos;
            int nDims = r.u32(f + ".n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new GgufException(path, dimsAt, f + ".n_dims", "expected 1.." + MAX_DIMS + " dimensions, got "
                        + Integer.toUnsignedString(nDims));
            }
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                long neAt = r.pos;
                ne[d] = r.u64(f + ".ne[" + d + "]");
                if (ne[d] < 1 || ne[d] > Integer.MAX_VALUE * 64L) {
                    throw new GgufException(path, neAt, f + ".ne[" + d + "]", "dimension "
                            + Long.toUnsignedString(ne[d]) + " out of range (expected 1.." + Integer.MAX_VALUE * 64L + ")");
                }
            }
            long typeAt = r.pos;
            int typeId = r.u32(f + ".type");
            GgmlType type = GgmlType.ofId(Integer.toUnsignedLong(typeId)).orElseThrow(() ->
                    new GgufException(path, typeAt, "tensor_info '" + name + "'.type", "unknown ggml type id "
                            + Integer.toUnsignedString(typeId)));
            long size;
            try {
                size = type.byteSize(ne);
            } catch (ArithmeticException e) {
                throw new GgufException(path, dimsAt, f + ".ne", "shape " + java.util.Arrays.toString(ne)
                        + " overflows a 64-bit byte count");
            } catch (IllegalArgumentException e) {
                throw new GgufException(path, dimsAt, f + ".ne", e.getMessage());
            }
            long offAt = r.pos;
            long off = r.u64(f + ".offset");
            if (off < 0 || off % alignment != 0) {
                throw new GgufException(path, offAt, f + ".offset", "data offset " + Long.toUnsignedString(off)
                        + " is not a multiple of the alignment " + alignment);
            }
            infos.add(new GgufTensorInfo(name, type, ne, off, size, infoAt));
        }

        long dataOffset = alignUp(r.pos, alignment);
        long dataBytes = seg.byteSize() - dataOffset;
        if (tensorCount > 0 && dataBytes < 0) {
            throw new GgufException(path, r.pos, "data section", "file ends at byte " + seg.byteSize()
                    + " before the data section, which starts at byte " + dataOffset);
        }
        for (GgufTensorInfo t : infos) {
            if (t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                throw new GgufException(path, t.infoOffset(), "tensor_info '" + t.name() + "'.offset",
                        "data [" + (dataOffset + t.offset()) + ", " + (dataOffset + t.offset() + t.byteSize())
                                + ") of " + t.byteSize() + " bytes (" + t.type() + " " + java.util.Arrays.toString(t.shape())
                                + ") runs past the end of the file at byte " + seg.byteSize());
            }
        }
        List<GgufTensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < sorted.size(); i++) {
            GgufTensorInfo a = sorted.get(i - 1);
            GgufTensorInfo b = sorted.get(i);
            if (a.offset() + a.byteSize() > b.offset()) {
                throw new GgufException(path, b.infoOffset(), "tensor_info '" + b.name() + "'.offset",
                        "data at " + b.offset() + " overlaps tensor '" + a.name() + "' [" + a.offset() + ", "
                                + (a.offset() + a.byteSize()) + ")");
            }
        }
        return new GgufFile(path, arena, seg, version, metadata, infos, alignment, dataOffset);
    }

    static long alignUp(long v, long alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    /** The file's path. */
    public Path path() {
        return path;
    }

    /** GGUF version (2 or 3). */
    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The tensor of this name.
     *
     * @throws GgufException naming the file and tensor when absent
     */
    public GgufTensorInfo requireTensor(String name) throws GgufException {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new GgufException(path, -1, "tensor '" + name + "'", "required tensor is missing");
        }
        return t;
    }

    /** Alignment of the data section in bytes. */
    public long alignment() {
        return alignment;
    }

    /** Byte offset of the data section from the start of the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Size of the mapped file in bytes. */
    public long fileSize() {
        return file.byteSize();
    }

    /** A read-only view of a tensor's bytes (no copy). */
    public MemorySegment data(GgufTensorInfo t) {
        return file.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    /**
     * A ternary tensor as a {@link TernaryMatrix} over the mapped bytes: M = the product of the outer
     * dimensions, K = {@code ne0}.
     *
     * @throws GgufException if the tensor is not TQ1_0, TQ2_0 or I2_S, or its shape does not fit the format
     */
    public TernaryMatrix ternary(GgufTensorInfo t) throws GgufException {
        TernaryFormat f = switch (t.type()) {
            case TQ1_0 -> TernaryFormat.TQ1_0;
            case TQ2_0 -> TernaryFormat.TQ2_0;
            case I2_S -> TernaryFormat.I2_S;
            default -> throw new GgufException(path, t.infoOffset(), "tensor '" + t.name() + "'.type",
                    "expected a ternary type (TQ1_0, TQ2_0 or I2_S), found " + t.type());
        };
        long rows = t.rows();
        long cols = t.shape()[0];
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new GgufException(path, t.infoOffset(), "tensor '" + t.name() + "'.ne", "matrix " + rows + "x" + cols
                    + " is too large");
        }
        try {
            return TernaryMatrix.of(f, (int) rows, (int) cols, data(t));
        } catch (IllegalArgumentException e) {
            throw new GgufException(path, t.infoOffset(), "tensor '" + t.name() + "'", e.getMessage());
        }
    }

    /**
     * Unmaps the file if it was opened with {@link #openCloseable} (views taken from it become unusable: reads
     * throw IllegalStateException); a file opened with {@link #open} stays mapped until the JVM exits.
     */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GGUF v" + version + " " + path + " (" + metadata.size() + " keys, " + tensors.size() + " tensors)";
    }

    /** Bounds-checked little-endian reads over the mapped header. */
    private static final class Reader {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private final Path path;
        private final MemorySegment seg;
        long pos;

        Reader(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        long remaining() {
            return seg.byteSize() - pos;
        }

        private void need(long n, String field) throws GgufException {
            if (n > remaining()) {
                throw new GgufException(path, pos, field, "truncated: needs " + n + " bytes, the file ends after "
                        + remaining() + " (file size " + seg.byteSize() + ")");
            }
        }

        int u32(String field) throws GgufException {
            need(4, field);
            int v = seg.get(I32, pos);
            pos += 4;
            return v;
        }

        long u64(String field) throws GgufException {
            need(8, field);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        String string(String field) throws GgufException {
            long at = pos;
            long len = u64(field + " length");
            if (len < 0 || len > remaining()) {
                throw new GgufException(path, at, field, "string length " + Long.toUnsignedString(len)
                        + " exceeds the " + remaining() + " bytes left in the file");
            }
            if (len > Integer.MAX_VALUE - 8) {
                throw new GgufException(path, at, field, "string length " + len + " is too large");
            }
            byte[] b = new byte[(int) len];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, (int) len);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        Object value(GgufValueType type, String field, int depth) throws GgufException {
            long at = pos;
            switch (type) {
                case UINT8 -> {
                    need(1, field);
                    return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++));
                }
                case INT8 -> {
                    need(1, field);
                    return (int) seg.get(ValueLayout.JAVA_BYTE, pos++);
                }
                case UINT16, INT16 -> {
                    need(2, field);
                    short s = seg.get(I16, pos);
                    pos += 2;
                    return type == GgufValueType.UINT16 ? Short.toUnsignedInt(s) : (int) s;
                }
                case UINT32 -> {
                    return Integer.toUnsignedLong(u32(field));
                }
                case INT32 -> {
                    return u32(field);
                }
                case UINT64, INT64 -> {
                    return u64(field);
                }
                case FLOAT32 -> {
                    need(4, field);
                    float f = seg.get(F32, pos);
                    pos += 4;
                    return f;
                }
                case FLOAT64 -> {
                    need(8, field);
                    double d = seg.get(F64, pos);
                    pos += 8;
                    return d;
                }
                case BOOL -> {
                    need(1, field);
                    byte b = seg.get(ValueLayout.JAVA_BYTE, pos);
                    if (b != 0 && b != 1) {
                        throw new GgufException(path, pos, field, "BOOL must be 0 or 1, got " + b);
                    }
                    pos++;
                    return b == 1;
                }
                case STRING -> {
                    return string(field);
                }
                case ARRAY -> {
                    return array(field, depth, at);
                }
            }
            throw new AssertionError(type);
        }

        private GgufArray array(String field, int depth, long at) throws GgufException {
            if (depth >= MAX_ARRAY_DEPTH) {
                throw new GgufException(path, at, field, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
            }
            long typeAt = pos;
            int typeId = u32(field + ".element_type");
            GgufValueType et = GgufValueType.ofId(Integer.toUnsignedLong(typeId)).orElseThrow(() ->
                    new GgufException(path, typeAt, field + ".element_type", "unknown value type id "
                            + Integer.toUnsignedString(typeId) + " (expected 0..12)"));
            long countAt = pos;
            long n = u64(field + ".count");
            if (n < 0 || n > remaining() / et.minBytes() || n > Integer.MAX_VALUE - 8) {
                throw new GgufException(path, countAt, field + ".count", "array of " + Long.toUnsignedString(n)
                        + " " + et + " elements cannot fit in the " + remaining() + " bytes left in the file");
            }
            int count = (int) n;
            String ef = field + "[]";
            switch (et) {
                case UINT8, INT8 -> {
                    byte[] a = new byte[count];
                    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, a, 0, count);
                    pos += count;
                    return new GgufArray(et, a);
                }
                case UINT16, INT16 -> {
                    short[] a = new short[count];
                    MemorySegment.copy(seg, I16, pos, a, 0, count);
                    pos += 2L * count;
                    return new GgufArray(et, a);
                }
                case UINT32, INT32 -> {
                    int[] a = new int[count];
                    MemorySegment.copy(seg, I32, pos, a, 0, count);
                    pos += 4L * count;
                    return new GgufArray(et, a);
                }
                case UINT64, INT64 -> {
                    long[] a = new long[count];
                    MemorySegment.copy(seg, I64, pos, a, 0, count);
                    pos += 8L * count;
                    return new GgufArray(et, a);
                }
                case FLOAT32 -> {
                    float[] a = new float[count];
                    MemorySegment.copy(seg, F32, pos, a, 0, count);
                    pos += 4L * count;
                    return new GgufArray(et, a);
                }
                case FLOAT64 -> {
                    double[] a = new double[count];
                    MemorySegment.copy(seg, F64, pos, a, 0, count);
                    pos += 8L * count;
                    return new GgufArray(et, a);
                }
                case BOOL -> {
                    boolean[] a = new boolean[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = (Boolean) value(GgufValueType.BOOL, ef, depth + 1);
                    }
                    return new GgufArray(et, a);
                }
                case STRING -> {
                    String[] a = new String[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = string(field + "[" + i + "]");
                    }
                    return new GgufArray(et, a);
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[count];
                    for (int i = 0; i < count; i++) {
                        a[i] = array(field + "[" + i + "]", depth + 1, pos);
                    }
                    return new GgufArray(et, a);
                }
            }
            throw new AssertionError(et);
        }
    }
}
