package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TokenTables;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Lookup-table kernel for batches ({@code vector:tlut}): tokens in the vector lanes.
 *
 * <p>For every group of 4 consecutive weights of a row, a table holds the 81 possible dot products of a
 * ternary 4-vector with the group's activations, one 16-bit lane per token. A row's contribution from a
 * group is then one vector load at the group's base-3 index and one add: 4 weights times {@code L} tokens
 * (32 at 512 bits) per instruction pair, with the table built once per group for all rows. {@link LutKernel}
 * puts rows in the lanes instead and needs one cross-lane shuffle per 3 weights and token, so it stays the
 * kernel for one token (decode).
 *
 * <p>Work goes in passes of 32 weights (8 groups, 8 tables of {@code 81 * L} shorts: 41 KB at 512 bits); a
 * pass runs over every row of the call. The tables live off-heap at 64-byte alignment: heap arrays start 16
 * bytes into a line, which splits every 64-byte load across two lines and was measured 30-40 % slower.
 *
 * <p>Repacked layout, built by {@link #prepare}: {@link TokenTables} (shared with the native kernel), off-heap:
 * per pass and row, the 8 table byte offsets ({@code (group * 81 + index) * 2L}) as 16-bit values in two longs,
 * 4 bits per weight, twice the standard TQ2_0 bytes. Precomputed offsets measured 15 % faster than base-3 bytes
 * (2 bits per weight) decoded in the loop. TQ block scales are kept as one float per row and block. A matrix
 * holding code 3 (a weight of +2, which the standard quantizers never write) cannot be packed.
 *
 * <p>Exactness: an entry is at most {@code 4 * 128} in magnitude, so a 16-bit accumulator takes 4 passes
 * (128 weights, at most 16384) before it is widened to 32 bits; 8 passes (256 weights, at most 32512) when
 * no activation of the tile is -128, which quantizers never produce (this halves the widening, and TQ then
 * scales each block straight from the 16-bit sums). TQ scales each 256-weight block's integer as the oracle
 * does ({@code y += (float) sumi * (d_x * d_w)}, blocks in order), so results are bit-identical; I2_S keeps
 * the row's exact integer and applies the oracle's epilogue.
 *
 * <p>Tokens beyond a multiple of {@code L} fill a last tile whose unused lanes compute zeros; a batch much
 * smaller than {@code L} wastes lanes, which is why {@link DispatchKernel} uses this kernel only from
 * {@link #MIN_TOKENS} tokens on.
 */
final class TokenLutKernel implements TernaryKernel {
    private static final VectorSpecies<Short> S = VectorWidth.SHORT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Tokens per tile: the number of 16-bit lanes. */
    static final int L = S.length();
    private static final int HALF = L / 2;
    /** Weights per pass. */
    static final int PASS = TokenTables.PASS;
    private static final int ENTRY_BYTES = 2 * L;
    private static final int TABLE_BYTES = TokenTables.GROUPS * TokenTables.ENTRIES * ENTRY_BYTES;
    private static final ValueLayout.OfLong INDEX = ValueLayout.JAVA_LONG.withOrder(LE);
    private static final ValueLayout.OfFloat SCALE = ValueLayout.JAVA_FLOAT.withOrder(LE);
    /** Passes a 16-bit accumulator takes: 4 * 32 weights * 128 = 16384 at most. */
    private static final int PASSES_PER_WIDEN = 4;
    /** Passes per TQ block (256 weights). */
    private static final int PASSES_PER_BLOCK = 256 / PASS;
    /**
     * From this many tokens on {@link DispatchKernel} uses this kernel: half the lanes at 512 bits, a quarter
     * narrower. Break-even points measured on 2560x2560 I2_S, one thread (Zen 4; the narrower widths with
     * {@code -XX:UseAVX=2}): at 512 bits 16 tokens give 120 G MAC/s against {@code lut}'s 116, 8 tokens 59
     * against 92; at 256 bits 4 tokens 38 against {@code swar}'s 28, 3 tokens 30 against 27; at 128 bits 2
     * tokens 21 against 16.
     */
    static final int MIN_TOKENS = L >= 32 ? L / 2 : L / 4;

    /** Activations transposed per tile: {@code [tile][k][lane]}, lanes past the last token zero. */
    static final ActivationCache.Layout TRANSPOSED = new ActivationCache.Layout() {
        @Override
        public int shortsPerRow(int cols) {
            return cols;
        }

        @Override
        public int shorts(int cols, int rows) {
            return Math.multiplyExact(cols, Math.multiplyExact((rows + L - 1) / L, L));
        }

        @Override
        public void fill(QuantizedActivations x, short[] out) {
            int k = x.cols();
            int n = x.rows();
            byte[] q = x.quants();
            int tiles = (n + L - 1) / L;
            for (int tile = 0; tile < tiles; tile++) {
                int base = tile * k * L;
                for (int lane = 0; lane < L; lane++) {
                    int t = tile * L + lane;
                    if (t < n) {
                        int src = t * k;
                        for (int c = 0; c < k; c++) {
                            out[base + c * L + lane] = q[src + c];
                        }
                    } else {
                        for (int c = 0; c < k; c++) {
                            out[base + c * L + lane] = 0;
                        }
                    }
                }
            }
        }
    };

    /** Per-thread buffers, off-heap at 64-byte alignment; they only grow. */
    private static final class Scratch {
        final MemorySegment tables = Arena.ofAuto().allocate(TABLE_BYTES, 64);
        MemorySegment acc16 = MemorySegment.NULL;
        MemorySegment acc32 = MemorySegment.NULL;
        MemorySegment facc = MemorySegment.NULL;
        float[] dx = new float[0];
        private float[] floats = new float[0];
        int rows;

        float[] heapFloats(int n) {
            if (floats.length < n) {
                floats = new float[n];
            }
            return floats;
        }

        void ensure(int n, int blocks) {
            if (rows < n) {
                Arena a = Arena.ofAuto();
                acc16 = a.allocate((long) n * 2 * L, 64);
                acc32 = a.allocate((long) n * 4 * L, 64);
                facc = a.allocate((long) n * 4 * L, 64);
                rows = n;
            }
            if (dx.length < blocks * L) {
                dx = new float[blocks * L];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Weights as table offsets ({@link TokenTables}), off-heap. */
    static final class Prepared implements PreparedWeights {
        final TokenTables.Packed layout;

        Prepared(TokenTables.Packed layout) {
            this.layout = layout;
        }

        @Override
        public TernaryMatrix matrix() {
            return layout.matrix();
        }

        @Override
        public long extraBytes() {
            return layout.bytes();
        }
    }

    @Override
    public String name() {
        return "vector:tlut";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    /**
     * @throws IllegalArgumentException for I2_S with K above {@link LutKernel#MAX_I2S_COLS}, or a matrix holding code 3
     */
    @Override
    public PreparedWeights prepare(TernaryMatrix w) {
        LutKernel.requireI2sCols(this, w);
        return new Prepared(TokenTables.pack(w, ENTRY_BYTES, Arena.ofAuto()));
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        matmulTokens(pw, x, x.rows(), y, yOffset, rowStart, rowEnd);
    }

    /** As {@link #matmul}, for the first {@code n} tokens of {@code x} only (1 to {@code x.rows()}). */
    void matmulTokens(PreparedWeights pw, QuantizedActivations x, int n, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        TokenTables.Packed w = requirePrepared(pw, Prepared.class).layout;
        if (n < 1 || n > x.rows()) {
            throw new IllegalArgumentException("tokens must be in [1, " + x.rows() + "], got " + n);
        }
        if (rowStart == rowEnd) {
            return;
        }
        int k = x.cols();
        int m = w.matrix().rows();
        int count = rowEnd - rowStart;
        boolean tq = x.format() == ActivationFormat.Q8_K;
        int blocks = tq ? k / 256 : 0;
        short[] xt = ActivationCache.get().activations(x, TRANSPOSED);
        Scratch sc = SCRATCH.get();
        sc.ensure(count, blocks);
        MemorySegment tab = sc.tables;
        for (int tile = 0; tile * L < n; tile++) {
            int t0 = tile * L;
            int tn = Math.min(L, n - t0);
            // 16-bit accumulators take 256 weights (a TQ block, 8 passes) when no activation is -128: at most
            // 256 * 127 = 32512. Quantizers give -127..127; only raw input can hold -128, and then they take 128.
            boolean wideRuns = !containsMinus128(x.quants(), t0 * k, tn * k);
            int widenEvery = wideRuns ? 2 * PASSES_PER_WIDEN : PASSES_PER_WIDEN;
            boolean direct = tq && wideRuns; // TQ blocks straight from the 16-bit sums, no 32-bit stage
            clear(sc.acc16, (long) count * 2 * L);
            if (!direct) {
                clear(sc.acc32, (long) count * 4 * L);
            }
            if (tq) {
                clear(sc.facc, (long) count * 4 * L);
            }
            float[] dx = sc.dx;
            for (int b = 0; b < blocks; b++) {
                for (int lane = 0; lane < L; lane++) {
                    dx[b * L + lane] = lane < tn ? x.scales()[(t0 + lane) * blocks + b] : 0f;
                }
            }
            int xBase = tile * k * L;
            for (int p = 0; p < w.passes(); p++) {
                build(xt, xBase + p * PASS * L, tab);
                pass(w.index(), w.indexOffset(p, rowStart), count, tab, sc.acc16);
                // Separate loops over the rows' sums rather than variants of pass(): measured no slower, and the
                // one loop with the lookups stays the only copy of it.
                if (tq && (p + 1) % PASSES_PER_BLOCK == 0) {
                    int b = p / PASSES_PER_BLOCK;
                    if (!direct) {
                        widen(count, sc.acc16, sc.acc32);
                    }
                    scaleBlock(direct, count, sc.acc16, sc.acc32, sc.facc, w.scales(), ((long) b * m + rowStart) * 4, dx, b * L);
                } else if ((p + 1) % widenEvery == 0 || p == w.passes() - 1) { // I2_S: K may end mid-run
                    widen(count, sc.acc16, sc.acc32);
                }
            }
            // Results leave [row][lane]-major; y is token-major. A bulk copy to the heap first: element reads
            // from a segment each pay a bounds check, which made this loop cost 9 % of a 2560x2560x32 call.
            if (tq) {
                float[] out = sc.heapFloats(count * L);
                MemorySegment.copy(sc.facc, ValueLayout.JAVA_FLOAT, 0, out, 0, count * L);
                for (int lane = 0; lane < tn; lane++) {
                    int yb = yOffset + (t0 + lane) * m + rowStart;
                    for (int i = 0; i < count; i++) {
                        y[yb + i] = out[i * L + lane];
                    }
                }
            } else {
                int[] out = ActivationCache.get().ints(count * L); // lut, its other user, runs after this call
                MemorySegment.copy(sc.acc32, ValueLayout.JAVA_INT, 0, out, 0, count * L);
                float scale = w.matrix().tensorScale();
                for (int lane = 0; lane < tn; lane++) {
                    int t = t0 + lane;
                    int sum = x.sums()[t];
                    float s = x.scales()[t];
                    int yb = yOffset + t * m + rowStart;
                    for (int i = 0; i < count; i++) {
                        int dot = out[i * L + lane] + sum;
                        y[yb + i] = ((float) dot - (float) sum) / s * scale;
                    }
                }
            }
        }
    }

    /** Zeroes the first {@code bytes} (a multiple of the vector size) of {@code s}: unlike a slice's fill, allocates nothing. */
    private static void clear(MemorySegment s, long bytes) {
        ShortVector zero = ShortVector.zero(S);
        for (long o = 0; o < bytes; o += ENTRY_BYTES) {
            zero.intoMemorySegment(s, o, LE);
        }
    }

    /** Whether {@code q[from, from + len)} holds -128. */
    private static boolean containsMinus128(byte[] q, int from, int len) {
        VectorSpecies<Byte> b = VectorWidth.BYTE;
        int i = 0;
        for (; i + b.length() <= len; i += b.length()) {
            if (ByteVector.fromArray(b, q, from + i).eq((byte) -128).anyTrue()) {
                return true;
            }
        }
        for (; i < len; i++) {
            if (q[from + i] == -128) {
                return true;
            }
        }
        return false;
    }

    // As in LutKernel, the hot methods below call no method of their own that takes or returns a vector
    // (C2 boxes the vector when such a call is not inlined).

    /** The 8 tables of one pass from the transposed activations at {@code xo} (weight {@code k} at {@code xo + k*L}). */
    private static void build(short[] xt, int xo, MemorySegment tab) {
        ShortVector zero = ShortVector.zero(S);
        for (int j = 0; j < TokenTables.GROUPS; j++) {
            int k0 = xo + j * TokenTables.GROUP * L;
            ShortVector v0 = ShortVector.fromArray(S, xt, k0);
            ShortVector v1 = ShortVector.fromArray(S, xt, k0 + L);
            ShortVector v2 = ShortVector.fromArray(S, xt, k0 + 2 * L);
            ShortVector v3 = ShortVector.fromArray(S, xt, k0 + 3 * L);
            long base = (long) j * TokenTables.ENTRIES * ENTRY_BYTES;
            // entry 27a + 9b + 3c + d = (a-1) v0 + (b-1) v1 + (c-1) v2 + (d-1) v3, from shared partial sums
            for (int a = 0; a < 3; a++) {
                ShortVector pa = a == 0 ? v0.neg() : a == 1 ? zero : v0;
                for (int b = 0; b < 3; b++) {
                    ShortVector pb = b == 0 ? pa.sub(v1) : b == 1 ? pa : pa.add(v1);
                    for (int c = 0; c < 3; c++) {
                        ShortVector pc = c == 0 ? pb.sub(v2) : c == 1 ? pb : pb.add(v2);
                        long e = base + (long) (27 * a + 9 * b + 3 * c) * ENTRY_BYTES;
                        pc.sub(v3).intoMemorySegment(tab, e, LE);
                        pc.intoMemorySegment(tab, e + ENTRY_BYTES, LE);
                        pc.add(v3).intoMemorySegment(tab, e + 2 * ENTRY_BYTES, LE);
                    }
                }
            }
        }
    }

    /** One pass over {@code count} rows: 16-bit accumulators += the rows' 8 table entries (the hot loop). */
    private static void pass(MemorySegment index, long idx, int count, MemorySegment tab, MemorySegment acc16) {
        long end = idx + 16L * count;
        long o = 0;
        for (long at = idx; at < end; at += 16, o += ENTRY_BYTES) {
            long v = index.get(INDEX, at);
            long u = index.get(INDEX, at + 8);
            ShortVector a = ShortVector.fromMemorySegment(S, acc16, o, LE)
                    .add(ShortVector.fromMemorySegment(S, tab, v & 0xFFFF, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, (v >>> 16) & 0xFFFF, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, (v >>> 32) & 0xFFFF, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, v >>> 48, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, u & 0xFFFF, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, (u >>> 16) & 0xFFFF, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, (u >>> 32) & 0xFFFF, LE))
                    .add(ShortVector.fromMemorySegment(S, tab, u >>> 48, LE));
            a.intoMemorySegment(acc16, o, LE);
        }
    }

    /** 32-bit accumulators += the 16-bit ones, which are cleared. */
    private static void widen(int count, MemorySegment acc16, MemorySegment acc32) {
        ShortVector zero = ShortVector.zero(S);
        for (int i = 0; i < count; i++) {
            long o = (long) i * ENTRY_BYTES;
            long o32 = (long) i * 4 * L;
            ShortVector a = ShortVector.fromMemorySegment(S, acc16, o, LE);
            IntVector.fromMemorySegment(I, acc32, o32, LE).add(a.convert(VectorOperators.S2I, 0))
                    .intoMemorySegment(acc32, o32, LE);
            IntVector.fromMemorySegment(I, acc32, o32 + 2 * L, LE).add(a.convert(VectorOperators.S2I, 1))
                    .intoMemorySegment(acc32, o32 + 2 * L, LE);
            zero.intoMemorySegment(acc16, o, LE);
        }
    }

    /**
     * The end of TQ block {@code b}: each row's block integer is scaled as the oracle does,
     * {@code facc += (float) sumi * (d_x * d_w)}, and its accumulator cleared. The integer is in the 16-bit
     * accumulators when {@code from16} (the whole block fit them), else in the 32-bit ones. {@code sOff}: byte
     * offset of the first row's scale in {@code scales}; {@code dOff}: the block's token scales in {@code dx}.
     */
    private static void scaleBlock(boolean from16, int count, MemorySegment acc16, MemorySegment acc32, MemorySegment facc,
                                   MemorySegment scales, long sOff, float[] dx, int dOff) {
        ShortVector zero = ShortVector.zero(S);
        IntVector zeroI = IntVector.zero(I);
        FloatVector dx0 = FloatVector.fromArray(F, dx, dOff);
        FloatVector dx1 = FloatVector.fromArray(F, dx, dOff + HALF);
        for (int i = 0; i < count; i++) {
            long o = (long) i * ENTRY_BYTES;
            long o32 = (long) i * 4 * L;
            FloatVector f0;
            FloatVector f1;
            if (from16) {
                ShortVector a = ShortVector.fromMemorySegment(S, acc16, o, LE);
                f0 = (FloatVector) a.convert(VectorOperators.S2F, 0);
                f1 = (FloatVector) a.convert(VectorOperators.S2F, 1);
                zero.intoMemorySegment(acc16, o, LE);
            } else {
                f0 = (FloatVector) IntVector.fromMemorySegment(I, acc32, o32, LE).convert(VectorOperators.I2F, 0);
                f1 = (FloatVector) IntVector.fromMemorySegment(I, acc32, o32 + 2 * L, LE).convert(VectorOperators.I2F, 0);
                zeroI.intoMemorySegment(acc32, o32, LE);
                zeroI.intoMemorySegment(acc32, o32 + 2 * L, LE);
            }
            float dw = scales.get(SCALE, sOff + 4L * i);
            FloatVector.fromMemorySegment(F, facc, o32, LE).add(f0.mul(dx0.mul(dw))).intoMemorySegment(facc, o32, LE);
            FloatVector.fromMemorySegment(F, facc, o32 + 2 * L, LE).add(f1.mul(dx1.mul(dw))).intoMemorySegment(facc, o32 + 2 * L, LE);
        }
    }
}
