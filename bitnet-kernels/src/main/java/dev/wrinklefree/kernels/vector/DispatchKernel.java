package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.OnFirstUse;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;

/**
 * The default Vector API kernel ({@code vector}): per format and batch size, the strategy that measured fastest.
 *
 * <p>One token (decode): at 512 bits (AVX-512) {@code lut} wins every format by 3-5x (about 100 G weights/s
 * per core against 15-30 for {@code swar}; see the README's kernel table). Narrower, where a 16-bit permute
 * over 32 entries is not one instruction, {@code lut} still wins TQ1_0 and TQ2_0 but {@code swar} wins I2_S
 * (measured with {@code -XX:UseAVX=2}).
 *
 * <p>From {@link TokenLutKernel#MIN_TOKENS} tokens on (prefill), {@code tlut} puts tokens in the lanes. At 32
 * tokens it does about twice the multiply-accumulates per second of {@code lut} at 512 bits (205-230 against
 * 92 G/s, 2560x2560, one thread) and 7x those of {@code lut} or {@code swar} at 256 bits. Its layout (4 bits
 * per weight) is built on the first such call, so a decode-only user never pays for it. A batch goes to
 * {@code tlut} in whole tiles of {@link TokenLutKernel#L} tokens; tokens left over go to the decode strategy
 * when they are fewer than {@code MIN_TOKENS} (the same break-even: a tile filled less than that is slower
 * than {@code lut}), else into one more, partly filled, tile.
 *
 * <p>A matrix holding code 3 (a +2 weight, {@link TernaryCodec#firstRowWithCodeThree}), which neither table
 * layout can express, runs on {@code swar} at every batch size: slower, but the oracle's result.
 */
final class DispatchKernel implements TernaryKernel {
    private final LutKernel lut = new LutKernel();
    private final StreamKernel swar = new StreamKernel(StreamKernel.Unpack.SWAR);
    private final TokenLutKernel tlut = new TokenLutKernel();

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    /** The strategy used for one token (or fewer than {@link TokenLutKernel#MIN_TOKENS}) of {@code format}. */
    TernaryKernel strategy(TernaryFormat format) {
        if (VectorWidth.BITS < 512 && format == TernaryFormat.I2_S) {
            return swar;
        }
        return lut;
    }

    @Override
    public int rowAlignment() {
        return lut.rowAlignment();
    }

    /**
     * Both layouts: the decode strategy's ({@code single}, built now) and the batch strategy's ({@code batched},
     * {@code tlut}'s built on the first batch).
     */
    static final class Prepared implements PreparedWeights {
        final TernaryKernel singleKernel;
        final PreparedWeights single;
        final TernaryKernel batchKernel;
        final OnFirstUse<PreparedWeights> batched;

        Prepared(TernaryKernel singleKernel, PreparedWeights single, TernaryKernel batchKernel) {
            this.singleKernel = singleKernel;
            this.single = single;
            this.batchKernel = batchKernel;
            this.batched = batchKernel == singleKernel ? new OnFirstUse<>(() -> single)
                    : new OnFirstUse<>(() -> batchKernel.prepare(single.matrix()));
        }

        @Override
        public TernaryMatrix matrix() {
            return single.matrix();
        }

        /** The bytes of the layouts a call of {@code tokens} reads (building the batch layout if it needs it). */
        @Override
        public long bytesPerCall(int tokens) {
            int tiled = batchKernel == singleKernel ? 0 : tiledTokens(tokens);
            return (tiled > 0 ? batched.get().bytesPerCall(tiled) : 0) + (tiled < tokens ? single.bytesPerCall(tokens - tiled) : 0);
        }

        /** The decode layout's bytes, plus the batch layout's once it has been built (if it is another). */
        @Override
        public long extraBytes() {
            PreparedWeights b = batched.ifBuilt();
            return single.extraBytes() + (b == null || b == single ? 0 : b.extraBytes());
        }
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix w) {
        if (TernaryCodec.firstRowWithCodeThree(w) >= 0) {
            return new Prepared(swar, swar.prepare(w), swar);
        }
        TernaryKernel single = strategy(w.format());
        return new Prepared(single, single.prepare(w), tlut);
    }

    /**
     * Tokens of a batch of {@code n} that {@code tlut} computes: whole tiles, plus the rest when it is at least
     * {@link TokenLutKernel#MIN_TOKENS} (0 below that).
     */
    static int tiledTokens(int n) {
        int rest = n % TokenLutKernel.L;
        return rest >= TokenLutKernel.MIN_TOKENS ? n : n - rest;
    }

    @Override
    public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        Prepared p = requirePrepared(w, Prepared.class);
        int n = x.rows();
        int tiled = p.batchKernel == p.singleKernel ? 0 : tiledTokens(n);
        if (tiled == 0) {
            p.singleKernel.matmul(p.single, x, y, yOffset, rowStart, rowEnd);
            return;
        }
        tlut.matmulTokens(p.batched.get(), x, tiled, y, yOffset, rowStart, rowEnd);
        if (tiled < n) {
            p.singleKernel.matmul(p.single, REST.get().of(x, tiled), y, yOffset + tiled * w.matrix().rows(), rowStart, rowEnd);
        }
    }

    /**
     * This thread's copy of the tokens a batch leaves over its whole tiles, for the decode strategy. It is copied
     * again only when the batch changes, so matmuls that share an input (q, k, v) also share the decode strategy's
     * tables of it (cached on the copy's identity and version).
     */
    private static final ThreadLocal<Rest> REST = ThreadLocal.withInitial(Rest::new);

    private static final class Rest {
        private QuantizedActivations copy;
        private QuantizedActivations source;
        private long version;
        private int from;

        QuantizedActivations of(QuantizedActivations x, int from) {
            int n = x.rows() - from;
            if (source != x || version != x.version() || this.from != from) {
                if (copy == null || copy.format() != x.format() || copy.cols() != x.cols() || copy.capacity() < n) {
                    copy = QuantizedActivations.allocate(x.format(), x.cols(), TokenLutKernel.L);
                }
                copy.copyRows(x, from, n);
                source = x;
                version = x.version();
                this.from = from;
            }
            return copy;
        }
    }
}
