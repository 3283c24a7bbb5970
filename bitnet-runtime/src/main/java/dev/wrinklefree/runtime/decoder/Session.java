package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.runtime.model.Architecture;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.model.ModelConfig;
import dev.wrinklefree.runtime.parallel.ThreadTeam;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One conversation with a model: the KV cache (F16, allocated once for the whole context) and the
 * working buffers. {@link #prefill} evaluates prompt tokens in batches through the kernels' N &gt; 1 path;
 * {@link #decode} evaluates one token through the N = 1 (GEMV) path. Nothing is allocated per token.
 *
 * <p>Numerics follow bitnet.cpp's CPU runtime so that one file gives the same tokens in both: int8
 * activation quantization before every ternary matmul (per token for I2_S, Q8_K per 256 for TQ1_0/TQ2_0,
 * done by the kernel module), RMSNorm with a double sum, RoPE angles built by repeated float multiplication,
 * K and V cached as F16, Q rounded to F16 for Q·K, softmax probabilities rounded to F16 when one token is
 * evaluated (kept F32 for batches), and the LM head input prepared as ggml prepares it for the head's type.
 *
 * <p>Not thread-safe; the returned logits array is reused by the next call.
 */
public final class Session implements AutoCloseable {
    private final Decoder decoder;
    private final BitNetModel model;
    private final ModelConfig cfg;
    private final TernaryKernel kernel;
    private final ThreadTeam team;
    private final int ctx;
    private final int batch;
    private final int hidden;
    private final int qDim;
    private final int kvDim;
    private final int ffn;
    private final int headDim;
    private final int ropeDims;
    private final int groups;
    private final float attnScale;
    private final int ctxPad;
    private final int headsPerItem;
    private final float thetaScale;

    private final float[] x;
    private final float[] xb;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] proj;
    private final float[] gate;
    private final float[] up;
    private final float[] cos;
    private final float[] sin;
    /** K cache, transposed per layer: value {@code d} of KV head {@code g} at position {@code t} is at {@code (g*headDim + d)*ctxPad + t}. */
    private final short[][] kCacheT;
    /** V cache per layer, row per position: {@code t*kvDim + g*headDim + d}. */
    private final short[][] vCache;
    private final QuantizedActivations actHidden;
    private final QuantizedActivations actQuery;
    private final QuantizedActivations actFfn;
    private final float[][] scores;
    private final float[] logits;
    private final LmHead head;

    private final MatmulTask matmuls = new MatmulTask();
    private final GateUpTask gateUp = new GateUpTask();
    private final AttentionTask attention = new AttentionTask();
    private final HeadTask headTask = new HeadTask();
    private final int[] oneToken = new int[1];

    private int pos;

    Session(Decoder decoder, int contextLength) {
        this.decoder = decoder;
        this.model = decoder.model();
        this.cfg = model.config();
        this.kernel = decoder.kernel();
        this.team = decoder.team();
        this.ctx = contextLength;
        this.batch = Math.min(decoder.options().batchSize(), contextLength);
        this.hidden = cfg.hiddenSize();
        this.qDim = cfg.queryDim();
        this.kvDim = cfg.kvDim();
        this.ffn = cfg.ffnSize();
        this.headDim = cfg.headDim();
        this.ropeDims = cfg.ropeDims();
        this.groups = cfg.heads() / cfg.kvHeads();
        this.attnScale = 1.0f / (float) Math.sqrt(headDim);
        this.thetaScale = ropeDims == 0 ? 1f : (float) Math.pow(cfg.ropeTheta(), -2.0f / ropeDims);

        int wide = Math.max(hidden, qDim);
        x = new float[batch * hidden];
        xb = new float[batch * Math.max(wide, ffn)];
        q = new float[batch * qDim];
        k = new float[batch * kvDim];
        v = new float[batch * kvDim];
        att = new float[batch * qDim];
        proj = new float[batch * hidden];
        gate = new float[batch * ffn];
        up = new float[batch * ffn];
        cos = new float[batch * Math.max(1, ropeDims / 2)];
        sin = new float[batch * Math.max(1, ropeDims / 2)];
        // Positions padded to a whole number of scoring blocks: blocks past the last position compute lanes that
        // are never read.
        ctxPad = (ctx + 4 * Ops.LANES - 1) / (4 * Ops.LANES) * (4 * Ops.LANES);
        headsPerItem = groups % 4 == 0 ? 4 : 1;
        kCacheT = new short[cfg.layers()][Math.multiplyExact(ctxPad, kvDim)];
        vCache = new short[cfg.layers()][Math.multiplyExact(ctx, kvDim)];
        TernaryFormat fmt = model.format();
        actHidden = QuantizedActivations.allocate(fmt, hidden, batch);
        actQuery = qDim == hidden ? actHidden : QuantizedActivations.allocate(fmt, qDim, batch);
        actFfn = QuantizedActivations.allocate(fmt, ffn, batch);
        scores = new float[team.size()][headsPerItem * ctxPad];
        logits = new float[cfg.vocabSize()];
        head = new LmHead(model.head(), LmHead.nativeRuns(kernel, model.head().type()));
    }

    /** Tokens evaluated so far: the position of the next token. */
    public int position() {
        return pos;
    }

    /** Positions this session can hold. */
    public int contextLength() {
        return ctx;
    }

    /** The decoder this session runs on. */
    public Decoder decoder() {
        return decoder;
    }

    /** Forgets the conversation (the cache is overwritten as positions are reused). */
    public void reset() {
        pos = 0;
    }

    /**
     * Keeps only the first {@code tokens} tokens of the conversation: the next token is evaluated at that
     * position, attending to the cached ones before it (benchmarks repeat a step at a fixed context this way).
     *
     * @param tokens 0 to {@link #position()}
     */
    public void rewind(int tokens) {
        if (tokens < 0 || tokens > pos) {
            throw new IllegalArgumentException("can rewind to 0.." + pos + " tokens, not " + tokens);
        }
        pos = tokens;
    }

    /** Logits of the last evaluated token, {@code vocabSize} floats; overwritten by the next call. */
    public float[] logits() {
        return logits;
    }

    /**
     * Evaluates prompt tokens in batches of up to the decoder's batch size and returns the logits of the
     * last one.
     *
     * @throws IllegalArgumentException if the tokens do not fit the remaining context or an id is out of range
     */
    public float[] prefill(int[] tokens) {
        return prefill(tokens, 0, tokens.length);
    }

    /** {@link #prefill(int[])} of {@code tokens[off .. off+n)}. */
    public float[] prefill(int[] tokens, int off, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("prefill needs at least one token");
        }
        checkFits(n);
        for (int i = 0; i < n; i += batch) {
            int m = Math.min(batch, n - i);
            forward(tokens, off + i, m, i + m == n);
        }
        return logits;
    }

    /** Evaluates one token (the GEMV path) and returns its logits. */
    public float[] decode(int token) {
        checkFits(1);
        oneToken[0] = token;
        forward(oneToken, 0, 1, true);
        return logits;
    }

    private void checkFits(int n) {
        if (pos + n > ctx) {
            throw new IllegalArgumentException("context full: " + pos + " tokens held, " + n + " more do not fit in "
                    + ctx + " (start a session with a longer context)");
        }
    }

    private void forward(int[] tokens, int off, int n, boolean wantLogits) {
        decoder.enter();
        try {
            forwardLocked(tokens, off, n, wantLogits);
        } finally {
            decoder.exit();
        }
    }

    private void forwardLocked(int[] tokens, int off, int n, boolean wantLogits) {
        for (int i = 0; i < n; i++) {
            int t = tokens[off + i];
            if (t < 0 || t >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " outside the vocabulary of " + cfg.vocabSize());
            }
        }
        for (int i = 0; i < n; i++) {
            model.embedding().dequantizeRow(tokens[off + i], x, i * hidden);
        }
        ropeTables(pos, n);
        int layers = cfg.layers();
        for (int l = 0; l < layers; l++) {
            BitNetModel.Layer layer = model.layer(l);
            PreparedWeights[] w = decoder.prepared(l);
            float[] sc = layer.scales();
            boolean last = l == layers - 1;

            rmsNormRows(x, 0, n, hidden, layer.attnNorm(), xb);
            actHidden.quantize(xb, 0, n);
            matmuls.set(3);
            matmuls.job(0, w[0], actHidden, q, sc[0]);
            matmuls.job(1, w[1], actHidden, k, sc[1]);
            matmuls.job(2, w[2], actHidden, v, sc[2]);
            team.run(matmuls);

            for (int i = 0; i < n; i++) {
                int p = pos + i;
                for (int h = 0; h < cfg.heads(); h++) {
                    rope(q, i * qDim + h * headDim, i);
                }
                for (int h = 0; h < cfg.kvHeads(); h++) {
                    rope(k, i * kvDim + h * headDim, i);
                }
                short[] kt = kCacheT[l];
                for (int j = 0; j < kvDim; j++) {
                    kt[j * ctxPad + p] = Float.floatToFloat16(k[i * kvDim + j]);
                }
                toHalf(v, i * kvDim, vCache[l], p * kvDim, kvDim);
                for (int j = i * qDim; j < (i + 1) * qDim; j++) {
                    q[j] = Float.float16ToFloat(Float.floatToFloat16(q[j])) * Ops.HALF_SCALE;
                }
            }
            if (last && !wantLogits) {
                break; // only this chunk's K and V are needed from the last layer
            }
            // In the last layer only the final token feeds the logits (llama.cpp skips the others too).
            int t0 = last ? n - 1 : 0;
            int nn = n - t0;
            attention.set(l, t0, n, n == 1);
            team.run(attention);

            float[] attIn = att;
            int attOff = t0 * qDim;
            if (layer.attnSubNorm() != null) {
                rmsNormRows(att, t0, nn, qDim, layer.attnSubNorm(), xb);
                attIn = xb;
                attOff = 0;
            }
            actQuery.quantize(attIn, attOff, nn);
            matmuls.set(1);
            matmuls.job(0, w[3], actQuery, proj, sc[3]);
            team.run(matmuls);
            addRows(proj, x, t0, nn, hidden);

            rmsNormRows(x, t0, nn, hidden, layer.ffnNorm(), xb);
            actHidden.quantize(xb, 0, nn);
            gateUp.set(w[4], w[5], actHidden, sc[4], sc[5], cfg.architecture().activation());
            team.run(gateUp);
            float[] ffnIn = gate;
            if (layer.ffnSubNorm() != null) {
                rmsNormRows(gate, 0, nn, ffn, layer.ffnSubNorm(), up);
                ffnIn = up;
            }
            actFfn.quantize(ffnIn, 0, nn);
            matmuls.set(1);
            matmuls.job(0, w[6], actFfn, proj, sc[6]);
            team.run(matmuls);
            addRows(proj, x, t0, nn, hidden);
        }
        if (wantLogits) {
            rmsNormRows(x, n - 1, 1, hidden, model.outputNorm(), xb);
            head.prepare(xb, 0);
            headTask.set();
            team.run(headTask);
        }
        pos += n;
    }

    /** {@code x[t0+i] += p[i]} for rows {@code i < rows} of width {@code w}. */
    private static void addRows(float[] p, float[] x, int t0, int rows, int w) {
        int base = t0 * w;
        for (int i = 0; i < rows * w; i++) {
            x[base + i] += p[i];
        }
    }

    /**
     * RMSNorm of rows {@code r0 .. r0+n} of {@code src} (width {@code w}) into rows {@code 0..n} of {@code dst},
     * as ggml: the mean of squares summed in double, {@code scale = 1/sqrtf(mean + eps)}, then
     * {@code (x * scale) * weight}.
     */
    private void rmsNormRows(float[] src, int r0, int n, int w, float[] weight, float[] dst) {
        float eps = cfg.rmsEps();
        for (int r = 0; r < n; r++) {
            int s = (r0 + r) * w;
            int d = r * w;
            float mean = (float) (Ops.sumOfSquares(src, s, w) / w);
            float scale = 1.0f / (float) Math.sqrt(mean + eps);
            Ops.scaleMul(src, s, scale, weight, dst, d, w);
        }
    }

    /** ggml's rope cache: {@code theta = pos}, multiplied by {@code theta_scale} once per pair, all in float. */
    private void ropeTables(int p0, int n) {
        int pairs = ropeDims / 2;
        float fs = cfg.ropeFreqScale();
        for (int i = 0; i < n; i++) {
            float theta = p0 + i;
            for (int j = 0; j < pairs; j++) {
                float t = fs * theta;
                cos[i * pairs + j] = (float) Math.cos(t);
                sin[i * pairs + j] = (float) Math.sin(t);
                theta *= thetaScale;
            }
        }
    }

    private void rope(float[] a, int off, int token) {
        int pairs = ropeDims / 2;
        int tb = token * pairs;
        if (cfg.architecture().ropeStyle() == Architecture.RopeStyle.NEOX) {
            for (int j = 0; j < pairs; j++) {
                float c = cos[tb + j];
                float s = sin[tb + j];
                float x0 = a[off + j];
                float x1 = a[off + j + pairs];
                a[off + j] = x0 * c - x1 * s;
                a[off + j + pairs] = x0 * s + x1 * c;
            }
        } else {
            for (int j = 0; j < pairs; j++) {
                float c = cos[tb + j];
                float s = sin[tb + j];
                float x0 = a[off + 2 * j];
                float x1 = a[off + 2 * j + 1];
                a[off + 2 * j] = x0 * c - x1 * s;
                a[off + 2 * j + 1] = x0 * s + x1 * c;
            }
        }
    }

    private static void toHalf(float[] src, int off, short[] dst, int dOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dOff + i] = Float.floatToFloat16(src[off + i]);
        }
    }

    /**
     * Rows per chunk for dynamic splitting: about 4 chunks per thread (so a thread that is late or slow costs
     * little, while each kernel call stays large enough to amortize its fixed cost), a multiple of the kernel's
     * row alignment.
     */
    private static int chunkRows(int rows, int members, int align) {
        if (members == 1) {
            return rows;
        }
        int target = Math.max(64, (rows + 4 * members - 1) / (4 * members));
        return (target + align - 1) / align * align;
    }

    /** Up to three independent matmuls split into row chunks taken by whichever thread is free. */
    private final class MatmulTask implements ThreadTeam.Task {
        final PreparedWeights[] w = new PreparedWeights[3];
        final QuantizedActivations[] xs = new QuantizedActivations[3];
        final float[][] ys = new float[3][];
        final float[] scale = new float[3];
        final int[] chunk = new int[3];
        final int[] firstChunk = new int[4];
        final AtomicInteger next = new AtomicInteger();
        int jobs;

        void set(int count) {
            jobs = count;
            next.set(0);
        }

        void job(int j, PreparedWeights pw, QuantizedActivations x, float[] y, float s) {
            w[j] = pw;
            xs[j] = x;
            ys[j] = y;
            scale[j] = s;
            int rows = pw.matrix().rows();
            chunk[j] = chunkRows(rows, team.size(), kernel.rowAlignment());
            firstChunk[j + 1] = firstChunk[j] + (rows + chunk[j] - 1) / chunk[j];
        }

        @Override
        public void run(int member, int members) {
            int total = firstChunk[jobs];
            for (int c = next.getAndIncrement(); c < total; c = next.getAndIncrement()) {
                int j = 0;
                while (c >= firstChunk[j + 1]) {
                    j++;
                }
                int rows = w[j].matrix().rows();
                int r0 = (c - firstChunk[j]) * chunk[j];
                int r1 = Math.min(rows, r0 + chunk[j]);
                kernel.matmul(w[j], xs[j], ys[j], 0, r0, r1);
                if (scale[j] != 1f) {
                    for (int t = 0; t < xs[j].rows(); t++) {
                        for (int r = r0; r < r1; r++) {
                            ys[j][t * rows + r] *= scale[j];
                        }
                    }
                }
            }
        }
    }

    /** Gate and up projections over the same row chunks, then {@code act(gate) * up} into {@code gate}. */
    private final class GateUpTask implements ThreadTeam.Task {
        PreparedWeights wg;
        PreparedWeights wu;
        QuantizedActivations xs;
        float sg;
        float su;
        Architecture.FfnActivation act;
        int chunk;
        int chunks;
        final AtomicInteger next = new AtomicInteger();

        void set(PreparedWeights g, PreparedWeights u, QuantizedActivations x, float scaleGate, float scaleUp,
                 Architecture.FfnActivation a) {
            wg = g;
            wu = u;
            xs = x;
            sg = scaleGate;
            su = scaleUp;
            act = a;
            chunk = chunkRows(ffn, team.size(), kernel.rowAlignment());
            chunks = (ffn + chunk - 1) / chunk;
            next.set(0);
        }

        @Override
        public void run(int member, int members) {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int r0 = c * chunk;
                int r1 = Math.min(ffn, r0 + chunk);
                kernel.matmul(wg, xs, gate, 0, r0, r1);
                kernel.matmul(wu, xs, up, 0, r0, r1);
                for (int t = 0; t < xs.rows(); t++) {
                    int b = t * ffn;
                    if (act == Architecture.FfnActivation.SILU) {
                        Ops.siluMul(gate, up, b + r0, b + r1, sg, su);
                    } else {
                        Ops.reluSquaredMul(gate, up, b + r0, b + r1, sg, su);
                    }
                }
            }
        }
    }

    /**
     * Causal attention over the F16 cache. A work item is one token and a block of query heads that share a
     * key/value head: four at a time when the group size allows it (they share every widened K and V vector),
     * else one.
     */
    private final class AttentionTask implements ThreadTeam.Task {
        int layer;
        int t0;
        boolean roundP;
        int items;
        final AtomicInteger next = new AtomicInteger();

        void set(int l, int from, int to, boolean singleToken) {
            layer = l;
            t0 = from;
            roundP = singleToken;
            items = (to - from) * (cfg.heads() / headsPerItem);
            next.set(0);
        }

        @Override
        public void run(int member, int members) {
            float[] s = scores[member];
            short[] kt = kCacheT[layer];
            short[] vc = vCache[layer];
            int blocks = cfg.heads() / headsPerItem;
            for (int it = next.getAndIncrement(); it < items; it = next.getAndIncrement()) {
                int i = t0 + it / blocks;
                int h0 = (it % blocks) * headsPerItem;
                int kvLen = pos + i + 1;
                int qOff = i * qDim + h0 * headDim;
                int g = h0 / groups;
                int kBase = g * headDim * ctxPad;
                if (headsPerItem == 4) {
                    for (int t = 0; t < kvLen; t += Ops.LANES) {
                        Ops.scoresFourHeads(kt, kBase, ctxPad, q, qOff, headDim, headDim, s, ctxPad, t);
                    }
                } else {
                    for (int t = 0; t < kvLen; t += 4 * Ops.LANES) {
                        Ops.scoresOneHead(kt, kBase, ctxPad, q, qOff, headDim, s, 0, t);
                    }
                }
                for (int h = 0; h < headsPerItem; h++) {
                    softmax(s, h * ctxPad, kvLen);
                }
                if (headsPerItem == 4) {
                    Ops.valuesFourHeads(vc, g * headDim, kvDim, s, ctxPad, kvLen, att, qOff, headDim);
                } else {
                    Ops.valuesOneHead(vc, g * headDim, kvDim, s, 0, kvLen, att, qOff, headDim);
                }
            }
        }

        /**
         * Scaled scores to probabilities in place, as ggml's soft_max: {@code exp(x*scale - max)} summed in double,
         * times {@code (float) (1/sum)}; rounded to F16 for a single-token step; pre-scaled for the F16 value sums.
         */
        private void softmax(float[] s, int off, int n) {
            float max = Float.NEGATIVE_INFINITY;
            for (int t = off; t < off + n; t++) {
                float e = s[t] * attnScale;
                s[t] = e;
                max = Math.max(max, e);
            }
            float inv = (float) (1.0 / Ops.expAndSum(s, off, n, max));
            for (int t = off; t < off + n; t++) {
                float p = s[t] * inv;
                if (roundP) {
                    p = Float.float16ToFloat(Float.floatToFloat16(p));
                }
                s[t] = p * Ops.HALF_SCALE;
            }
        }
    }

    /** The LM head rows in chunks. */
    private final class HeadTask implements ThreadTeam.Task {
        int chunk;
        int chunks;
        final AtomicInteger next = new AtomicInteger();

        void set() {
            int rows = logits.length;
            chunk = chunkRows(rows, team.size(), 1);
            chunks = (rows + chunk - 1) / chunk;
            next.set(0);
        }

        @Override
        public void run(int member, int members) {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int r0 = c * chunk;
                head.compute(logits, r0, Math.min(logits.length, r0 + chunk));
            }
        }
    }

    /** Nothing to release beyond memory; present so sessions can sit in try-with-resources. */
    @Override
    public void close() {
        pos = 0;
    }
}
