package dev.wrinklefree.runtime.gguf;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    /** Writes metadata of every value type and tensors of several types; returns the tensor bytes written. */
    static byte[][] writeSample(Path file, long alignment) throws IOException {
        Random r = new Random(7);
        byte[][] data;
        try (GgufWriter w = GgufWriter.create(file)) {
            GgufMetadata md = w.metadata();
            md.putString("general.architecture", "bitnet");
            if (alignment != GgufFile.DEFAULT_ALIGNMENT) {
                md.putUInt32("general.alignment", alignment);
            }
            md.put("u8", GgufValue.of(GgufValueType.UINT8, 250));
            md.put("i8", GgufValue.of(GgufValueType.INT8, -5));
            md.put("u16", GgufValue.of(GgufValueType.UINT16, 65000));
            md.put("i16", GgufValue.of(GgufValueType.INT16, -30000));
            md.putUInt32("u32", 4_000_000_000L);
            md.put("i32", GgufValue.ofInt32(-123456));
            md.putFloat32("f32", 0.1f);
            md.putBool("bool", true);
            md.putString("str", "héllo ▁ wörld");
            md.put("u64", GgufValue.ofUInt64(1L << 40));
            md.put("i64", GgufValue.of(GgufValueType.INT64, -(1L << 40)));
            md.put("f64", GgufValue.of(GgufValueType.FLOAT64, Math.PI));
            md.putArray("arr.str", GgufArray.ofStrings("a", "", "ü"));
            md.putArray("arr.f32", GgufArray.ofFloats(1f, -2f));
            md.putArray("arr.i32", GgufArray.ofInt32(3, -4, 5));
            md.putArray("arr.u8", new GgufArray(GgufValueType.UINT8, new byte[] {1, (byte) 200}));
            md.putArray("arr.bool", new GgufArray(GgufValueType.BOOL, new boolean[] {true, false}));
            md.putArray("arr.nested", new GgufArray(GgufValueType.ARRAY,
                    new GgufArray[] {GgufArray.ofInt32(1), GgufArray.ofStrings("x", "y")}));
            w.addTensor("norm", GgmlType.F32, 7);
            w.addTensor("emb", GgmlType.F16, 64, 3);
            w.addTensor("head", GgmlType.Q8_0, 64, 2);
            w.addTensor("tq2", GgmlType.TQ2_0, 256, 3);
            w.addTensor("tq1", GgmlType.TQ1_0, 512, 2);
            w.addTensor("i2s", GgmlType.I2_S, 128, 5);
            long[][] shapes = {{7}, {64, 3}, {64, 2}, {256, 3}, {512, 2}, {128, 5}};
            GgmlType[] types = {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.TQ2_0, GgmlType.TQ1_0, GgmlType.I2_S};
            data = new byte[shapes.length][];
            w.beginData();
            for (int i = 0; i < shapes.length; i++) {
                if (types[i].isTernary()) {
                    TernaryFormat f = TernaryFormat.ofGgmlType(types[i].id());
                    int rows = (int) shapes[i][1];
                    int cols = (int) shapes[i][0];
                    byte[] t = new byte[rows * cols];
                    for (int j = 0; j < t.length; j++) {
                        t[j] = (byte) (r.nextInt(3) - 1);
                    }
                    data[i] = TernaryCodec.packBytes(f, toFloats(t), rows, cols);
                } else {
                    data[i] = new byte[(int) types[i].byteSize(shapes[i])];
                    r.nextBytes(data[i]);
                }
                // Stream in uneven chunks to exercise the buffer.
                int off = 0;
                while (off < data[i].length) {
                    int n = Math.min(1 + r.nextInt(40), data[i].length - off);
                    w.write(data[i], off, n);
                    off += n;
                }
            }
            w.commit();
        }
        return data;
    }

    static float[] toFloats(byte[] t) {
        float[] f = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            f[i] = t[i] * 0.5f;
        }
        return f;
    }

    @Test
    void everyValueTypeAndTensorComesBackUnchanged() throws IOException {
        for (long alignment : new long[] {32, 64, 1}) {
            Path file = dir.resolve("rt-" + alignment + ".gguf");
            byte[][] data = writeSample(file, alignment);
            try (GgufFile g = GgufFile.open(file)) {
                assertEquals(3, g.version());
                assertEquals(alignment, g.alignment());
                GgufMetadata md = g.metadata();
                assertEquals("bitnet", md.getString("general.architecture"));
                assertEquals(250, md.getLong("u8"));
                assertEquals(-5, md.getLong("i8"));
                assertEquals(65000, md.getLong("u16"));
                assertEquals(-30000, md.getLong("i16"));
                assertEquals(4_000_000_000L, md.getLong("u32"));
                assertEquals(-123456, md.getLong("i32"));
                assertEquals(0.1f, md.getFloat("f32"));
                assertTrue(md.getBoolean("bool", false));
                assertEquals("héllo ▁ wörld", md.getString("str"));
                assertEquals(1L << 40, md.getLong("u64"));
                assertEquals(-(1L << 40), md.getLong("i64"));
                assertEquals(Math.PI, (Double) md.get("f64").orElseThrow().value());
                assertArrayEquals(new String[] {"a", "", "ü"}, md.getStringArray("arr.str"));
                assertArrayEquals(new float[] {1f, -2f}, md.getFloatArray("arr.f32"));
                assertArrayEquals(new int[] {3, -4, 5}, md.getIntArray("arr.i32"));
                assertArrayEquals(new byte[] {1, (byte) 200}, (byte[]) md.getArray("arr.u8", GgufValueType.UINT8).values());
                assertArrayEquals(new boolean[] {true, false},
                        (boolean[]) md.getArray("arr.bool", GgufValueType.BOOL).values());
                GgufArray[] nested = (GgufArray[]) md.getArray("arr.nested", GgufValueType.ARRAY).values();
                assertArrayEquals(new String[] {"x", "y"}, (String[]) nested[1].values());
                List<String> names = g.tensors().stream().map(GgufTensorInfo::name).toList();
                assertEquals(List.of("norm", "emb", "head", "tq2", "tq1", "i2s"), names);
                for (int i = 0; i < data.length; i++) {
                    GgufTensorInfo t = g.tensors().get(i);
                    assertEquals(0, t.offset() % alignment, t.name() + " offset alignment");
                    assertArrayEquals(data[i], g.data(t).toArray(ValueLayout.JAVA_BYTE), t.name() + " bytes");
                }
                TernaryMatrix i2s = g.ternary(g.requireTensor("i2s"));
                assertEquals(5, i2s.rows());
                assertEquals(128, i2s.cols());
                assertEquals(0.5f, i2s.tensorScale());
                assertThrows(GgufException.class, () -> g.ternary(g.requireTensor("emb")));
            }
        }
    }

    @Test
    void readsTheBitnetCppTinyModelHeader() throws IOException {
        Path tiny = Path.of(System.getProperty("wrinklefree.shared"), "conformance", "bitnet", "tiny-i2_s.gguf");
        assertTrue(Files.exists(tiny), "missing " + tiny);
        try (GgufFile g = GgufFile.open(tiny)) {
            assertEquals(24, g.tensors().size());
            assertEquals(25, g.metadata().size());
            assertEquals(32002, g.metadata().getStringArray("tokenizer.ggml.tokens").length);
            GgufTensorInfo q = g.requireTensor("blk.0.attn_q.weight");
            assertEquals(GgmlType.I2_S, q.type());
            assertEquals(256 * 256 / 4 + 32, q.byteSize());
            assertEquals(0.06597900390625f, g.ternary(q).tensorScale());
        }
    }

    @Test
    void writerLeavesNothingBehindWhenNotCommitted() throws IOException {
        Path file = dir.resolve("partial.gguf");
        try (GgufWriter w = GgufWriter.create(file)) {
            w.addTensor("a", GgmlType.F32, 4);
            w.beginData();
            w.write(new byte[8]);
            assertThrows(IllegalStateException.class, w::commit, "tensor 'a' is incomplete");
        }
        assertFalse(Files.exists(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "temporary file removed");
        }
    }

    @Test
    void writerRefusesTooManyBytesAndBadShapes() throws IOException {
        try (GgufWriter w = GgufWriter.create(dir.resolve("x.gguf"))) {
            assertThrows(IllegalArgumentException.class, () -> w.addTensor("bad", GgmlType.Q8_0, 33));
            assertThrows(IllegalArgumentException.class, () -> w.addTensor("bad", GgmlType.F32, 1, 1, 1, 1, 1));
            w.addTensor("a", GgmlType.F32, 2);
            assertThrows(IllegalArgumentException.class, () -> w.addTensor("a", GgmlType.F32, 2));
            w.beginData();
            assertThrows(IllegalArgumentException.class, () -> w.write(new byte[9]));
        }
    }

    @Test
    void tensorDataIsAViewOfTheMappedFileNotACopy() throws IOException {
        Path file = dir.resolve("view.gguf");
        writeSample(file, 32);
        try (GgufFile g = GgufFile.open(file)) {
            MemorySegment s = g.data(g.requireTensor("emb"));
            assertTrue(s.isMapped(), "tensor data must be a slice of the mapping");
            assertTrue(s.isReadOnly());
        }
    }
}
