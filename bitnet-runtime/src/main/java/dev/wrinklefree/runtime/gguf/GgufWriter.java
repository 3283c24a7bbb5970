package dev.wrinklefree.runtime.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a GGUF v3 file in one pass, tensor by tensor, so a model larger than memory can be written:
 * declare metadata and tensors, call {@link #beginData()}, stream each tensor's bytes in declaration
 * order with {@link #write}, then {@link #commit()}.
 *
 * <p>The file is written to a temporary file beside the target and moved into place by
 * {@link #commit()}; closing without committing deletes it, so a failed run leaves nothing half-written.
 * Tensor data offsets are padded to the alignment ({@value GgufFile#DEFAULT_ALIGNMENT} bytes unless
 * {@code general.alignment} is set), as llama.cpp requires.
 *
 * <p>Not thread-safe.
 */
public final class GgufWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** The whole buffer as a segment (taken at position 0: a segment of a buffer starts at its position). */
    private final MemorySegment bufSegment = MemorySegment.ofBuffer(buf);
    private long alignment = GgufFile.DEFAULT_ALIGNMENT;
    private long position;
    private boolean dataStarted;
    private boolean committed;
    private int current = -1;
    private long currentWritten;
    private long dataStart;

    private GgufWriter(Path target) throws IOException {
        this.target = target.toAbsolutePath();
        Path dir = this.target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its 0600 permissions would stay on the finished file; createFile honours the umask.
        Path t;
        while (true) {
            t = dir.resolve("." + this.target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".part");
            try {
                Files.createFile(t);
                break;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another writer picked the same name: draw again
            }
        }
        this.temp = t;
        this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.metadata = GgufMetadata.create(this.target);
    }

    /** Starts writing {@code target} (through a temporary file in the same directory). */
    public static GgufWriter create(Path target) throws IOException {
        return new GgufWriter(Objects.requireNonNull(target, "target"));
    }

    /** The metadata to write; modify it before {@link #beginData()}. */
    public GgufMetadata metadata() {
        return metadata;
    }

    /**
     * Declares the next tensor. Data offsets follow declaration order.
     *
     * @param ne dimensions, innermost first (1 to 4 of them, each at least 1)
     * @return the tensor's info as it will be written
     * @throws IllegalArgumentException for a duplicate name, a bad shape, or after {@link #beginData()}
     */
    public GgufTensorInfo addTensor(String name, GgmlType type, long... ne) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (dataStarted) {
            throw new IllegalStateException("tensor '" + name + "' declared after beginData()");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (ne.length < 1 || ne.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' needs 1.." + GgufFile.MAX_DIMS + " dimensions, got "
                    + ne.length);
        }
        for (long d : ne) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor '" + name + "' has a dimension below 1: " + Arrays.toString(ne));
            }
        }
        long size = type.byteSize(ne);
        GgufTensorInfo t = new GgufTensorInfo(name, type, ne, 0, size, -1);
        tensors.add(t);
        return t;
    }

    /** Tensors declared so far, with their final offsets once {@link #beginData()} has run. */
    public List<GgufTensorInfo> tensors() {
        return List.copyOf(tensors);
    }

    /**
     * Writes the header, metadata and tensor infos, and pads to the data section. After this only tensor
     * data can be written.
     */
    public void beginData() throws IOException {
        if (dataStarted) {
            throw new IllegalStateException("beginData() called twice");
        }
        var al = metadata.get("general.alignment");
        if (al.isPresent()) {
            alignment = ((Number) al.get().value()).longValue();
            if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                throw new IllegalArgumentException("general.alignment must be a positive power of two, got " + alignment);
            }
        }
        long off = 0;
        for (int i = 0; i < tensors.size(); i++) {
            GgufTensorInfo t = tensors.get(i);
            tensors.set(i, new GgufTensorInfo(t.name(), t.type(), t.shape(), off, t.byteSize(), -1));
            off = GgufFile.alignUp(off + t.byteSize(), alignment);
        }
        dataStarted = true;
        putInt(GgufFile.MAGIC);
        putInt(3);
        putLong(tensors.size());
        putLong(metadata.size());
        for (var e : metadata.asMap().entrySet()) {
            putString(e.getKey());
            putInt(e.getValue().type().id());
            putValue(e.getValue().type(), e.getValue().value(), e.getKey());
        }
        for (GgufTensorInfo t : tensors) {
            putString(t.name());
            putInt(t.rank());
            for (long d : t.shape()) {
                putLong(d);
            }
            putInt(t.type().id());
            putLong(t.offset());
        }
        pad();
        dataStart = position;
        current = 0;
        currentWritten = 0;
    }

    /** The tensor whose bytes {@link #write} expects next, or null when all are written. */
    public GgufTensorInfo currentTensor() {
        return current >= 0 && current < tensors.size() ? tensors.get(current) : null;
    }

    /**
     * Appends bytes to the current tensor; when it is complete, pads and moves to the next one. A chunk
     * must not run past the end of the current tensor.
     */
    public void write(byte[] data, int off, int len) throws IOException {
        write(MemorySegment.ofArray(data).asSlice(off, len));
    }

    public void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    /** As {@link #write(byte[], int, int)}, from any memory segment. */
    public void write(MemorySegment data) throws IOException {
        GgufTensorInfo t = currentTensor();
        if (t == null) {
            throw new IllegalStateException(dataStarted ? "all tensors are already written" : "beginData() not called");
        }
        long len = data.byteSize();
        if (currentWritten + len > t.byteSize()) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' takes " + t.byteSize() + " bytes; "
                    + (currentWritten + len) + " were given");
        }
        long done = 0;
        while (done < len) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int n = (int) Math.min(buf.remaining(), len - done);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, done, bufSegment, ValueLayout.JAVA_BYTE, buf.position(), n);
            buf.position(buf.position() + n);
            done += n;
        }
        position += len;
        currentWritten += len;
        if (currentWritten == t.byteSize()) {
            pad();
            current++;
            currentWritten = 0;
        }
    }

    /**
     * Finishes the file: checks every tensor was written, forces it to disk and moves it onto the target.
     *
     * @throws IllegalStateException naming the first tensor that is incomplete
     */
    public void commit() throws IOException {
        if (!dataStarted) {
            beginData();
        }
        GgufTensorInfo t = currentTensor();
        if (t != null) {
            throw new IllegalStateException("tensor '" + t.name() + "' is incomplete: " + currentWritten + " of "
                    + t.byteSize() + " bytes written");
        }
        flush();
        channel.force(true);
        channel.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    /** Bytes written so far (header plus data). */
    public long bytesWritten() {
        return position;
    }

    /** Byte offset of the data section (valid after {@link #beginData()}). */
    public long dataOffset() {
        return dataStart;
    }

    /** Deletes the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    private void pad() throws IOException {
        long padded = GgufFile.alignUp(position, alignment);
        while (position < padded) {
            ensure(1);
            buf.put((byte) 0);
            position++;
        }
    }

    private void ensure(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        buf.clear();
    }

    private void putInt(int v) throws IOException {
        ensure(4);
        buf.putInt(v);
        position += 4;
    }

    private void putLong(long v) throws IOException {
        ensure(8);
        buf.putLong(v);
        position += 8;
    }

    private void putBytes(byte[] b) throws IOException {
        int done = 0;
        while (done < b.length) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int n = Math.min(buf.remaining(), b.length - done);
            buf.put(b, done, n);
            done += n;
        }
        position += b.length;
    }

    private void putString(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putLong(b.length);
        putBytes(b);
    }

    private void putValue(GgufValueType type, Object v, String key) throws IOException {
        try {
            switch (type) {
                case UINT8, INT8 -> {
                    ensure(1);
                    buf.put((byte) ((Number) v).intValue());
                    position++;
                }
                case UINT16, INT16 -> {
                    ensure(2);
                    buf.putShort((short) ((Number) v).intValue());
                    position += 2;
                }
                case UINT32, INT32 -> putInt((int) ((Number) v).longValue());
                case UINT64, INT64 -> putLong(((Number) v).longValue());
                case FLOAT32 -> putInt(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> putLong(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOL -> {
                    ensure(1);
                    buf.put((byte) (((Boolean) v) ? 1 : 0));
                    position++;
                }
                case STRING -> putString((String) v);
                case ARRAY -> putArray((GgufArray) v, key);
            }
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("metadata '" + key + "': value " + v + " does not match type " + type);
        }
    }

    private void putArray(GgufArray a, String key) throws IOException {
        putInt(a.elementType().id());
        int n = a.length();
        putLong(n);
        Object vals = a.values();
        switch (a.elementType()) {
            case UINT8, INT8 -> putBytes((byte[]) vals);
            case UINT16, INT16 -> {
                for (short s : (short[]) vals) {
                    ensure(2);
                    buf.putShort(s);
                    position += 2;
                }
            }
            case UINT32, INT32 -> {
                for (int x : (int[]) vals) {
                    putInt(x);
                }
            }
            case UINT64, INT64 -> {
                for (long x : (long[]) vals) {
                    putLong(x);
                }
            }
            case FLOAT32 -> {
                for (float x : (float[]) vals) {
                    putInt(Float.floatToRawIntBits(x));
                }
            }
            case FLOAT64 -> {
                for (double x : (double[]) vals) {
                    putLong(Double.doubleToRawLongBits(x));
                }
            }
            case BOOL -> {
                for (boolean x : (boolean[]) vals) {
                    ensure(1);
                    buf.put((byte) (x ? 1 : 0));
                    position++;
                }
            }
            case STRING -> {
                for (String x : (String[]) vals) {
                    putString(x);
                }
            }
            case ARRAY -> {
                for (GgufArray x : (GgufArray[]) vals) {
                    putArray(x, key);
                }
            }
        }
    }
}
