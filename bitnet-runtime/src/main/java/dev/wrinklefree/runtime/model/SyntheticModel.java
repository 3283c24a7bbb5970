package dev.wrinklefree.runtime.model;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.gguf.GgufArray;
import dev.wrinklefree.runtime.gguf.GgufMetadata;
import dev.wrinklefree.runtime.gguf.GgufTensorInfo;
import dev.wrinklefree.runtime.gguf.GgufValue;
import dev.wrinklefree.runtime.gguf.GgufValueType;
import dev.wrinklefree.runtime.gguf.GgufWriter;
import dev.wrinklefree.runtime.tokenizer.BpeTokenizer;
import dev.wrinklefree.runtime.tokenizer.TokenType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Writes a model of a given shape with random weights as a GGUF file that this runtime and
 * llama.cpp / bitnet.cpp load: real tensor names, shapes, metadata keys and formats, so that timing and
 * memory are those of the real model while the output is meaningless.
 *
 * <ul>
 *   <li>Ternary weights: independent, uniform over {-1, 0, +1}, one scale per tensor ({@code 1.5/sqrt(K)} rounded
 *       to F16), packed straight into TQ1_0 / TQ2_0 blocks (every block's {@code d} is the scale) or I2_S (the
 *       scale in the tail).
 *   <li>Norm weights: {@code 1 + 0.1 u} with {@code u} uniform in [-1, 1]; embedding and head: a triangular
 *       distribution of standard deviation {@value #EMBEDDING_STD}, small against what the layers add to the
 *       residual stream, so that the tied head does not just predict the input token again.
 *   <li>Vocabulary: byte-level BPE ({@code gpt2}, LLaMA 3 pre-tokenizer, no merges) with the 256 byte tokens, BOS
 *       and EOS control tokens, and unused filler tokens up to the model's vocabulary size, so text goes in and out.
 * </ul>
 * The same seed gives the same file, byte for byte. The file is streamed tensor by tensor (memory stays small
 * whatever the model size) and moved into place only when complete.
 */
public final class SyntheticModel {
    /** Standard deviation of the synthetic embedding / head values. */
    public static final float EMBEDDING_STD = 0.25f;
    /** Text of the BOS token of the synthetic vocabulary. */
    public static final String BOS = "<|begin_of_text|>";
    /** Text of the EOS token of the synthetic vocabulary. */
    public static final String EOS = "<|end_of_text|>";

    /** Receives progress while a model is written. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param bytesDone  tensor bytes written so far
         * @param bytesTotal tensor bytes to write
         * @param tensor     the tensor being written
         */
        void update(long bytesDone, long bytesTotal, String tensor);
    }

    /**
     * What to write.
     *
     * @param config   the shape
     * @param format   ternary format of the body
     * @param headType type of the token embedding / LM head: F16, Q8_0 or F32
     * @param seed     random seed
     */
    public record Spec(ModelConfig config, TernaryFormat format, GgmlType headType, long seed) {
        public Spec {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(headType, "headType");
            if (headType != GgmlType.F16 && headType != GgmlType.Q8_0 && headType != GgmlType.F32) {
                throw new IllegalArgumentException("head type must be F16, Q8_0 or F32, got " + headType);
            }
            int h = config.hiddenSize();
            for (int k : new int[] {h, config.queryDim(), config.ffnSize()}) {
                if (k % format.blockWeights() != 0) {
                    throw new IllegalArgumentException(config.name() + " does not fit " + format + ": a matrix has K=" + k
                            + ", not a multiple of " + format.blockWeights());
                }
            }
            if (h % 32 != 0 && headType == GgmlType.Q8_0) {
                throw new IllegalArgumentException("Q8_0 head needs a hidden size that is a multiple of 32, got " + h);
            }
            if (config.vocabSize() < 258) {
                throw new IllegalArgumentException("the synthetic vocabulary needs at least 258 tokens, " + config.name()
                        + " has " + config.vocabSize());
            }
        }
    }

    private SyntheticModel() {
    }

    /** llama.cpp's {@code general.file_type} for a body format (LLAMA_FTYPE_MOSTLY_TQ1_0 = 36, TQ2_0 = 37, I2_S = 40). */
    public static int fileType(TernaryFormat f) {
        return switch (f) {
            case TQ1_0 -> 36;
            case TQ2_0 -> 37;
            case I2_S -> 40;
        };
    }

    /** Bytes of tensor data a spec produces (the file adds metadata and padding). */
    public static long tensorBytes(Spec spec) {
        long n = 0;
        for (TensorPlan t : plan(spec)) {
            n += t.type.byteSize(t.ne);
        }
        return n;
    }

    private record TensorPlan(String name, GgmlType type, long[] ne, Kind kind) {
    }

    private enum Kind { NORM, TERNARY, DENSE }

    private static List<TensorPlan> plan(Spec s) {
        ModelConfig c = s.config();
        GgmlType tern = GgmlType.ofId(s.format().ggmlType()).orElseThrow();
        int h = c.hiddenSize();
        int q = c.queryDim();
        int kv = c.kvDim();
        int ff = c.ffnSize();
        boolean subNorms = c.architecture() != Architecture.LLAMA;
        List<TensorPlan> out = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            out.add(new TensorPlan(b + "attn_norm.weight", GgmlType.F32, new long[] {h}, Kind.NORM));
            if (subNorms) {
                out.add(new TensorPlan(b + "attn_sub_norm.weight", GgmlType.F32, new long[] {q}, Kind.NORM));
            }
            out.add(new TensorPlan(b + "ffn_norm.weight", GgmlType.F32, new long[] {h}, Kind.NORM));
            if (subNorms) {
                out.add(new TensorPlan(b + "ffn_sub_norm.weight", GgmlType.F32, new long[] {ff}, Kind.NORM));
            }
            out.add(new TensorPlan(b + "attn_q.weight", tern, new long[] {h, q}, Kind.TERNARY));
            out.add(new TensorPlan(b + "attn_k.weight", tern, new long[] {h, kv}, Kind.TERNARY));
            out.add(new TensorPlan(b + "attn_v.weight", tern, new long[] {h, kv}, Kind.TERNARY));
            out.add(new TensorPlan(b + "attn_output.weight", tern, new long[] {q, h}, Kind.TERNARY));
            out.add(new TensorPlan(b + "ffn_gate.weight", tern, new long[] {h, ff}, Kind.TERNARY));
            out.add(new TensorPlan(b + "ffn_up.weight", tern, new long[] {h, ff}, Kind.TERNARY));
            out.add(new TensorPlan(b + "ffn_down.weight", tern, new long[] {ff, h}, Kind.TERNARY));
        }
        out.add(new TensorPlan("output_norm.weight", GgmlType.F32, new long[] {h}, Kind.NORM));
        if (!c.architecture().headIsTokenEmbedding()) {
            out.add(new TensorPlan("output.weight", s.headType(), new long[] {h, c.vocabSize()}, Kind.DENSE));
        }
        out.add(new TensorPlan("token_embd.weight", s.headType(), new long[] {h, c.vocabSize()}, Kind.DENSE));
        return out;
    }

    /**
     * Writes the model to {@code target} (through a temporary file, moved into place at the end).
     *
     * @param progress called after each chunk of tensor data; may be null
     */
    public static void write(Spec spec, Path target, Progress progress) throws IOException {
        ModelConfig c = spec.config();
        List<TensorPlan> plan = plan(spec);
        long total = tensorBytes(spec);
        try (GgufWriter w = GgufWriter.create(target)) {
            GgufMetadata md = w.metadata();
            c.writeTo(md);
            md.putUInt32("general.file_type", fileType(spec.format()));
            md.putUInt32("general.quantization_version", 2);
            md.putBool("wrinklefree.synthetic", true);
            md.put("wrinklefree.seed", GgufValue.ofUInt64(spec.seed()));
            writeVocabulary(md, c.vocabSize());
            for (TensorPlan t : plan) {
                w.addTensor(t.name, t.type, t.ne);
            }
            w.beginData();
            SplittableRandom root = new SplittableRandom(spec.seed());
            long done = 0;
            for (TensorPlan t : plan) {
                // One generator per tensor, split off in order: the stream of one tensor does not depend on chunking.
                SplittableRandom rnd = root.split();
                GgufTensorInfo info = w.currentTensor();
                switch (t.kind) {
                    case NORM -> writeNorm(w, (int) t.ne[0], rnd);
                    case TERNARY -> writeTernary(w, spec.format(), (int) t.ne[1], (int) t.ne[0], rnd, done, total, t.name,
                            progress);
                    case DENSE -> writeDense(w, t.type, (int) t.ne[1], (int) t.ne[0], rnd, done, total, t.name, progress);
                }
                done += info.byteSize();
                if (progress != null) {
                    progress.update(done, total, t.name);
                }
            }
            w.commit();
        }
    }

    /** The synthetic byte-level vocabulary: GPT-2 byte alphabet, BOS, EOS, unused fillers. */
    static void writeVocabulary(GgufMetadata md, int vocab) {
        String[] tokens = new String[vocab];
        int[] types = new int[vocab];
        for (int b = 0; b < 256; b++) {
            tokens[b] = BpeTokenizer.byteChar(b);
            types[b] = TokenType.NORMAL.ordinal();
        }
        tokens[256] = BOS;
        types[256] = TokenType.CONTROL.ordinal();
        tokens[257] = EOS;
        types[257] = TokenType.CONTROL.ordinal();
        for (int i = 258; i < vocab; i++) {
            tokens[i] = "<|unused_" + (i - 258) + "|>";
            types[i] = TokenType.UNUSED.ordinal();
        }
        md.putString("tokenizer.ggml.model", "gpt2");
        md.putString("tokenizer.ggml.pre", "llama-bpe");
        md.putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(tokens));
        md.putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, types));
        md.putArray("tokenizer.ggml.merges", GgufArray.ofStrings());
        md.putUInt32("tokenizer.ggml.bos_token_id", 256);
        md.putUInt32("tokenizer.ggml.eos_token_id", 257);
        md.putBool("tokenizer.ggml.add_bos_token", true);
        md.putBool("tokenizer.ggml.add_eos_token", false);
    }

    private static void writeNorm(GgufWriter w, int n, SplittableRandom rnd) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (1 + 0.1 * (2 * rnd.nextDouble() - 1)));
        }
        w.write(b.array());
    }

    /** The per-tensor scale of a synthetic ternary matrix with {@code k} inputs, exactly representable in F16. */
    static float ternaryScale(int k) {
        return Float.float16ToFloat(Float.floatToFloat16((float) (1.5 / Math.sqrt(k))));
    }

    private static void writeTernary(GgufWriter w, TernaryFormat f, int rows, int cols, SplittableRandom rnd,
                                     long done, long total, String name, Progress progress) throws IOException {
        float scale = ternaryScale(cols);
        short d = Float.floatToFloat16(scale);
        int rowBytes = (int) f.rowBytes(cols);
        int rowsPerChunk = Math.max(1, (1 << 20) / rowBytes);
        byte[] buf = new byte[rowsPerChunk * rowBytes];
        byte[] byte4 = codeBytes4();
        for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
            int n = Math.min(rowsPerChunk, rows - r0);
            int len = n * rowBytes;
            switch (f) {
                case I2_S -> {
                    // Codes are i.i.d., so any valid byte of four 2-bit codes is a valid random block byte.
                    for (int i = 0; i < len; i++) {
                        buf[i] = byte4[rnd.nextInt(81)];
                    }
                }
                case TQ2_0 -> {
                    for (int blk = 0; blk < len / 66; blk++) {
                        int o = blk * 66;
                        for (int i = 0; i < 64; i++) {
                            buf[o + i] = byte4[rnd.nextInt(81)];
                        }
                        buf[o + 64] = (byte) d;
                        buf[o + 65] = (byte) (d >>> 8);
                    }
                }
                case TQ1_0 -> {
                    for (int blk = 0; blk < len / 54; blk++) {
                        int o = blk * 54;
                        for (int i = 0; i < 48; i++) {
                            // Five base-3 digits as the fixed-point fraction ceil(q * 256 / 243).
                            buf[o + i] = (byte) ((rnd.nextInt(243) * 256 + 242) / 243);
                        }
                        for (int i = 0; i < 4; i++) {
                            // Four digits, times 3 once more, then the same fraction.
                            buf[o + 48 + i] = (byte) ((rnd.nextInt(81) * 3 * 256 + 242) / 243);
                        }
                        buf[o + 52] = (byte) d;
                        buf[o + 53] = (byte) (d >>> 8);
                    }
                }
            }
            w.write(buf, 0, len);
            if (progress != null) {
                progress.update(done + (long) (r0 + n) * rowBytes, total, name);
            }
        }
        if (f == TernaryFormat.I2_S) {
            byte[] tail = new byte[32];
            ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale);
            w.write(tail);
        }
    }

    /** The 81 bytes holding four codes in {0, 1, 2} (2 bits each). */
    private static byte[] codeBytes4() {
        byte[] out = new byte[81];
        int n = 0;
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 3; c++) {
                    for (int e = 0; e < 3; e++) {
                        out[n++] = (byte) (a | b << 2 | c << 4 | e << 6);
                    }
                }
            }
        }
        return out;
    }

    /** A triangular random value in (-sqrt(6), sqrt(6)): standard deviation 1, cheap to draw. */
    private static float triangular(SplittableRandom rnd) {
        int r = rnd.nextInt();
        return ((r & 0xFFFF) + (r >>> 16) - 65535) * (float) (Math.sqrt(6) / 65536);
    }

    private static void writeDense(GgufWriter w, GgmlType type, int rows, int cols, SplittableRandom rnd,
                                   long done, long total, String name, Progress progress) throws IOException {
        int rowBytes = (int) type.byteSize(new long[] {cols});
        int rowsPerChunk = Math.max(1, (1 << 20) / rowBytes);
        ByteBuffer buf = ByteBuffer.allocate(rowsPerChunk * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        short q8Scale = Float.floatToFloat16(EMBEDDING_STD / 64f);
        for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
            int n = Math.min(rowsPerChunk, rows - r0);
            buf.clear();
            for (int r = 0; r < n; r++) {
                switch (type) {
                    case F32 -> {
                        for (int i = 0; i < cols; i++) {
                            buf.putFloat(EMBEDDING_STD * triangular(rnd));
                        }
                    }
                    case F16 -> {
                        for (int i = 0; i < cols; i++) {
                            buf.putShort(Float.floatToFloat16(EMBEDDING_STD * triangular(rnd)));
                        }
                    }
                    case Q8_0 -> {
                        for (int b = 0; b < cols / 32; b++) {
                            buf.putShort(q8Scale);
                            for (int i = 0; i < 32; i++) {
                                buf.put((byte) Math.max(-127, Math.min(127, Math.round(triangular(rnd) * 64))));
                            }
                        }
                    }
                    default -> throw new IllegalStateException(type.toString());
                }
            }
            w.write(buf.array(), 0, n * rowBytes);
            if (progress != null) {
                progress.update(done + (long) (r0 + n) * rowBytes, total, name);
            }
        }
    }
}
