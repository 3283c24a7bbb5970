package dev.wrinklefree.runtime.gguf;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bad files each give a {@link GgufException} naming the file, the offset and the field; nothing else is
 * thrown and nothing is read past the end.
 */
class GgufMalformedTest {
    @TempDir
    Path dir;

    byte[] good;
    /** Offsets within {@link #good}: the fields the tests corrupt. */
    int tensorCountAt = 8;
    int kvCountAt = 16;
    int firstKeyLenAt = 24;

    @BeforeEach
    void writeGoodFile() throws IOException {
        Path p = dir.resolve("good.gguf");
        try (GgufWriter w = GgufWriter.create(p)) {
            w.metadata().putString("general.architecture", "bitnet");
            w.metadata().putArray("tokens", GgufArray.ofStrings("a", "b", "c"));
            w.addTensor("t0", GgmlType.F32, 8);
            w.addTensor("t1", GgmlType.TQ2_0, 256, 2);
            w.beginData();
            w.write(new byte[32]);
            w.write(new byte[132]);
            w.commit();
        }
        good = Files.readAllBytes(p);
    }

    private GgufException bad(byte[] bytes, String expectedField) throws IOException {
        Path p = dir.resolve("bad.gguf");
        Files.write(p, bytes);
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.openCloseable(p).close());
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        assertTrue(e.field().contains(expectedField), "field '" + e.field() + "' should mention '" + expectedField + "'");
        return e;
    }

    private static byte[] withLong(byte[] b, int at, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return c;
    }

    private static byte[] withInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    /** Offset of the first occurrence of {@code needle} in the good file. */
    private int find(String needle) {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= good.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (good[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }

    @Test
    void theUnchangedFileOpens() throws IOException {
        Path p = dir.resolve("ok.gguf");
        Files.write(p, good);
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(2, g.tensors().size());
        }
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = good.clone();
        b[0] = 'X';
        GgufException e = bad(b, "magic");
        assertEquals(0, e.offset());
    }

    @Test
    void theGlobalMappingValidatesTheSameWay() throws IOException {
        byte[] b = good.clone();
        b[1] = 0;
        Path p = dir.resolve("global.gguf");
        Files.write(p, b);
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(p));
        assertEquals("magic", e.field());
    }

    @Test
    void closingACloseableFileUnmapsIt() throws IOException {
        Path p = dir.resolve("ok.gguf");
        Files.write(p, good);
        GgufFile f = GgufFile.openCloseable(p);
        var data = f.data(f.tensors().get(0));
        f.close();
        assertThrows(IllegalStateException.class, () -> data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void unsupportedVersion() throws IOException {
        GgufException e = bad(withInt(good, 4, 4), "version");
        assertEquals(4, e.offset());
    }

    @Test
    void everyTruncationIsAClearError() throws IOException {
        Path ok = dir.resolve("ok.gguf");
        Files.write(ok, good);
        long end;
        try (GgufFile g = GgufFile.open(ok)) {
            GgufTensorInfo last = g.tensors().get(1);
            end = g.dataOffset() + last.offset() + last.byteSize();
        }
        // Every prefix that ends before the last tensor's data does is bad somewhere.
        for (int len = 0; len < end; len++) {
            Path p = dir.resolve("trunc.gguf");
            Files.write(p, Arrays.copyOf(good, len));
            try {
                GgufFile.openCloseable(p).close();
                fail("a file cut at " + len + " bytes opened");
            } catch (GgufException e) {
                assertTrue(e.getMessage().contains("trunc.gguf"), e.getMessage());
            }
        }
    }

    @Test
    void hugeCounts() throws IOException {
        GgufException e = bad(withLong(good, tensorCountAt, 1L << 40), "tensor_count");
        assertEquals(tensorCountAt, e.offset());
        e = bad(withLong(good, kvCountAt, -1L), "metadata_kv_count");
        assertEquals(kvCountAt, e.offset());
        bad(withLong(good, firstKeyLenAt, Long.MAX_VALUE), "metadata[0].key");
        // The token array's count: after "tokens" key, the type (4 bytes) and element type (4 bytes).
        int arrCount = find("tokens") + "tokens".length() + 8;
        bad(withLong(good, arrCount, 1L << 50), "count");
    }

    @Test
    void unknownTypes() throws IOException {
        int valueTypeAt = find("general.architecture") + "general.architecture".length();
        bad(withInt(good, valueTypeAt, 13), "type");
        int t0 = find("t0");
        // name "t0", n_dims (4), ne[0] (8), then the type
        GgufException e = bad(withInt(good, t0 + 2 + 4 + 8, 99), "type");
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void badDimensionsAndShapes() throws IOException {
        int t0 = find("t0");
        bad(withInt(good, t0 + 2, 5), "n_dims");
        bad(withLong(good, t0 + 2 + 4, 0), "ne[0]");
        int t1 = find("t1");
        // TQ2_0 needs ne0 to be a multiple of 256
        bad(withLong(good, t1 + 2 + 4, 100), "ne");
    }

    @Test
    void offsetsPastTheEndMisalignedOrOverlapping() throws IOException {
        int t1 = find("t1");
        int offAt = t1 + 2 + 4 + 16 + 4; // name, n_dims, two dims, type
        GgufException e = bad(withLong(good, offAt, 1L << 30), "offset");
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());
        bad(withLong(good, offAt, 33), "offset");
        e = bad(withLong(good, offAt, 0), "offset");
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        // The data section itself cut short (the writer pads the last tensor to the alignment: cut into its data)
        bad(Arrays.copyOf(good, good.length - 29), "offset");
    }

    @Test
    void duplicateTensorNames() throws IOException {
        byte[] b = good.clone();
        b[find("t1") + 1] = '0';
        GgufException e = bad(b, "name");
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    void randomCorruptionNeverThrowsAnythingElse() throws IOException {
        Random r = new Random(1);
        int header = good.length - 164;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = good.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b[r.nextInt(header)] = (byte) r.nextInt(256);
            }
            Path p = dir.resolve("fuzz.gguf");
            Files.write(p, b);
            try {
                GgufFile.openCloseable(p).close();
            } catch (GgufException e) {
                assertTrue(e.getMessage().contains("fuzz.gguf"));
            } catch (RuntimeException e) {
                throw new AssertionError("trial " + trial + ": " + e, e);
            }
        }
    }
}
