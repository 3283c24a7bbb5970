package dev.wrinklefree.runtime.model;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.runtime.gguf.GgufException;
import dev.wrinklefree.runtime.gguf.GgufFile;
import dev.wrinklefree.runtime.gguf.GgufTensorInfo;
import dev.wrinklefree.runtime.tokenizer.Tokenizer;
import dev.wrinklefree.runtime.tokenizer.Tokenizers;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A BitNet model loaded from GGUF: its hyperparameters, tokenizer and weights. Ternary matrices and the
 * embedding stay in the memory-mapped file; only the norm vectors (a few KB per layer) are copied.
 *
 * <p>Immutable and thread-safe; {@link #close()} unmaps the file (only when this object opened it).
 */
public final class BitNetModel implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One transformer block.
     *
     * @param attnNorm    RMSNorm weights before attention, {@code hiddenSize}
     * @param attnSubNorm RMSNorm weights before o_proj, {@code queryDim}, or null when the file has none
     * @param ffnNorm     RMSNorm weights before the FFN, {@code hiddenSize}
     * @param ffnSubNorm  RMSNorm weights before down_proj, {@code ffnSize}, or null
     * @param wq          query projection, {@code queryDim x hiddenSize}
     * @param wk          key projection, {@code kvDim x hiddenSize}
     * @param wv          value projection, {@code kvDim x hiddenSize}
     * @param wo          output projection, {@code hiddenSize x queryDim}
     * @param wGate       FFN gate, {@code ffnSize x hiddenSize}
     * @param wUp         FFN up, {@code ffnSize x hiddenSize}
     * @param wDown       FFN down, {@code hiddenSize x ffnSize}
     * @param scales      optional per-projection output multipliers (bitnet.cpp's {@code *.scale} tensors) in the
     *                    order q, k, v, o, gate, up, down; 1 where absent
     */
    public record Layer(float[] attnNorm, float[] attnSubNorm, float[] ffnNorm, float[] ffnSubNorm,
                        TernaryMatrix wq, TernaryMatrix wk, TernaryMatrix wv, TernaryMatrix wo,
                        TernaryMatrix wGate, TernaryMatrix wUp, TernaryMatrix wDown, float[] scales) {
        /** The seven ternary matrices in the order q, k, v, o, gate, up, down. */
        public List<TernaryMatrix> matrices() {
            return List.of(wq, wk, wv, wo, wGate, wUp, wDown);
        }
    }

    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final DenseMatrix embedding;
    private final DenseMatrix head;
    private final float[] outputNorm;
    private final List<Layer> layers;
    private final GgufFile file;
    private final boolean ownsFile;

    private BitNetModel(ModelConfig config, Tokenizer tokenizer, DenseMatrix embedding, DenseMatrix head,
                        float[] outputNorm, List<Layer> layers, GgufFile file, boolean ownsFile) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.embedding = embedding;
        this.head = head;
        this.outputNorm = outputNorm;
        this.layers = List.copyOf(layers);
        this.file = file;
        this.ownsFile = ownsFile;
    }

    /** Opens and maps a GGUF model file; {@link #close()} unmaps it. */
    public static BitNetModel open(Path path) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            return load(f, true);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Loads a model from an open file; the caller keeps ownership of the file. */
    public static BitNetModel from(GgufFile file) throws GgufException {
        return load(file, false);
    }

    private static BitNetModel load(GgufFile f, boolean owns) throws GgufException {
        GgufTensorInfo embInfo = f.requireTensor("token_embd.weight");
        ModelConfig cfg = ModelConfig.fromGguf(f.metadata(), (int) Math.min(Integer.MAX_VALUE, embInfo.dim(1)));
        Tokenizer tok = Tokenizers.fromGguf(f.metadata(), cfg.vocabSize());
        DenseMatrix emb = dense(f, embInfo, cfg.vocabSize(), cfg.hiddenSize());
        DenseMatrix head = emb;
        if (!cfg.architecture().headIsTokenEmbedding() && f.tensor("output.weight").isPresent()) {
            head = dense(f, f.requireTensor("output.weight"), cfg.vocabSize(), cfg.hiddenSize());
        }
        float[] outNorm = vector(f, "output_norm.weight", cfg.hiddenSize(), true);
        Layer[] layers = new Layer[cfg.layers()];
        for (int i = 0; i < cfg.layers(); i++) {
            String b = "blk." + i + ".";
            int h = cfg.hiddenSize();
            int q = cfg.queryDim();
            int kv = cfg.kvDim();
            int ff = cfg.ffnSize();
            float[] scales = new float[7];
            String[] names = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
            for (int s = 0; s < 7; s++) {
                float[] sc = vector(f, b + names[s] + ".scale", 1, false);
                scales[s] = sc == null ? 1f : sc[0];
            }
            layers[i] = new Layer(
                    vector(f, b + "attn_norm.weight", h, true),
                    vector(f, b + "attn_sub_norm.weight", q, false),
                    vector(f, b + "ffn_norm.weight", h, true),
                    vector(f, b + "ffn_sub_norm.weight", ff, false),
                    ternary(f, b + "attn_q.weight", q, h),
                    ternary(f, b + "attn_k.weight", kv, h),
                    ternary(f, b + "attn_v.weight", kv, h),
                    ternary(f, b + "attn_output.weight", h, q),
                    ternary(f, b + "ffn_gate.weight", ff, h),
                    ternary(f, b + "ffn_up.weight", ff, h),
                    ternary(f, b + "ffn_down.weight", h, ff),
                    scales);
        }
        return new BitNetModel(cfg, tok, emb, head, outNorm, Arrays.asList(layers), f, owns);
    }

    private static DenseMatrix dense(GgufFile f, GgufTensorInfo t, int rows, int cols) throws GgufException {
        checkShape(f, t, cols, rows);
        try {
            return DenseMatrix.of(t.type(), rows, cols, f.data(t));
        } catch (IllegalArgumentException e) {
            throw new GgufException(f.path(), t.infoOffset(), "tensor '" + t.name() + "'", e.getMessage());
        }
    }

    private static TernaryMatrix ternary(GgufFile f, String name, int rows, int cols) throws GgufException {
        GgufTensorInfo t = f.requireTensor(name);
        checkShape(f, t, cols, rows);
        if (!t.type().isTernary()) {
            throw new GgufException(f.path(), t.infoOffset(), "tensor '" + name + "'.type", "expected a ternary type "
                    + "(TQ1_0, TQ2_0 or I2_S), found " + t.type() + " (this runtime computes ternary weights only)");
        }
        return f.ternary(t);
    }

    private static void checkShape(GgufFile f, GgufTensorInfo t, long ne0, long ne1) throws GgufException {
        if (t.rank() > 2 || t.dim(0) != ne0 || t.dim(1) != ne1) {
            throw new GgufException(f.path(), t.infoOffset(), "tensor '" + t.name() + "'.ne", "expected shape ["
                    + ne0 + ", " + ne1 + "], found " + Arrays.toString(t.shape()));
        }
    }

    private static float[] vector(GgufFile f, String name, int n, boolean required) throws GgufException {
        var opt = f.tensor(name);
        if (opt.isEmpty()) {
            if (required) {
                throw new GgufException(f.path(), -1, "tensor '" + name + "'", "required tensor is missing");
            }
            return null;
        }
        GgufTensorInfo t = opt.get();
        if (t.elementCount() != n) {
            throw new GgufException(f.path(), t.infoOffset(), "tensor '" + name + "'.ne", "expected " + n
                    + " elements, found " + Arrays.toString(t.shape()));
        }
        float[] out = new float[n];
        MemorySegment d = f.data(t);
        switch (t.type()) {
            case F32 -> MemorySegment.copy(d, F32, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(d.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i));
                }
            }
            default -> throw new GgufException(f.path(), t.infoOffset(), "tensor '" + name + "'.type",
                    "expected F32 or F16, found " + t.type());
        }
        return out;
    }

    public ModelConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Token embedding, {@code vocabSize x hiddenSize}. */
    public DenseMatrix embedding() {
        return embedding;
    }

    /** LM head, {@code vocabSize x hiddenSize}; the same object as {@link #embedding()} when tied. */
    public DenseMatrix head() {
        return head;
    }

    /** Whether the LM head is the token embedding. */
    public boolean tiedHead() {
        return head == embedding;
    }

    /** Final RMSNorm weights, {@code hiddenSize}. Do not modify. */
    public float[] outputNorm() {
        return outputNorm;
    }

    public List<Layer> layers() {
        return layers;
    }

    public Layer layer(int i) {
        return layers.get(i);
    }

    /** The ternary format of the body (of the first layer's q projection; files mix formats rarely). */
    public TernaryFormat format() {
        return layers.get(0).wq().format();
    }

    /** The underlying file. */
    public GgufFile file() {
        return file;
    }

    /** Bytes of ternary weights (all layers). */
    public long ternaryBytes() {
        long n = 0;
        for (Layer l : layers) {
            for (TernaryMatrix m : l.matrices()) {
                n += m.byteSize();
            }
        }
        return n;
    }

    /**
     * Bytes a batch-1 decode step reads from weights: every ternary matrix once plus the LM head
     * (the KV cache comes on top: {@link ModelConfig#kvCacheBytesPerToken()} per context token).
     */
    public long weightBytesPerToken() {
        return ternaryBytes() + head.byteSize();
    }

    @Override
    public void close() {
        if (ownsFile) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return config.name() + " (" + config.architecture().ggufName() + ", " + format() + " body, " + head.type()
                + (tiedHead() ? " tied" : "") + " head)";
    }
}
