package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Lookup-table kernel (the idea of bitnet.cpp's TL1/TL2): for every group of 3 activations (2 at 128 bits)
 * and every token, a table of the 27 (9) possible dot products with ternary weights; weights become
 * base-3 indices into those tables, interleaved across {@code L} rows so that one cross-lane shuffle
 * ({@code selectFrom}, {@code vpermw} on AVX-512) looks up {@code L} rows at once.
 *
 * <p>Repacked layout, built by {@link #prepare} (any of the three formats; the kernel never reads the
 * standard bytes again): rows in groups of {@code L} (= 16-bit lanes: 32 at 512 bits, 16 at 256, 8 at 128);
 * K in segments of 256 weights (a TQ block, so the block scale applies to an exact integer; I2_S uses 128
 * when K is not a multiple of 256); per segment, words of {@code L} shorts, lane = row, each holding 3
 * 5-bit indices (4 4-bit ones at 128 bits). 256 weights take 29 words: 1.81 bits per weight. TQ block
 * scales become one float per row and segment.
 *
 * <p>Table entries are at most {@code 3*128} in magnitude, so a 16-bit accumulator is widened to 32 bits
 * every {@link #MAX_WORDS_PER_RUN} words at the latest: exact for every input. Per-segment integers are
 * then scaled exactly as the scalar oracle does (TQ: {@code y += (float) sumi * (d_x * d_w)} block by
 * block, same order, so results are bit-identical; I2_S: integers summed exactly in float, then the
 * oracle's epilogue).
 */
final class LutKernel implements TernaryKernel {
    private static final VectorSpecies<Short> S = VectorWidth.SHORT;
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Rows interleaved per word: the number of 16-bit lanes. */
    static final int L = S.length();
    private static final int HALF = L / 2;
    /** 8 lanes cannot hold the 9 entries of a pair: two-vector tables ({@code vpermi2w}) at 128 bits. */
    private static final boolean TWO_TABLES = L < 16;
    /** Weights per table index: 3 (27 entries) when a vector holds 32 shorts, else 2 (9 entries). */
    static final int GROUP = L >= 32 ? 3 : 2;
    private static final int FIELD_BITS = GROUP == 3 ? 5 : 4;
    /** Table indices per 16-bit word. */
    private static final int FIELDS = GROUP == 3 ? 3 : 4;
    /** Shorts per table: selectFrom wraps indices modulo this, which drops the higher fields for free. */
    private static final int ENTRIES = TWO_TABLES ? 2 * L : L;
    private static final int COMBOS = GROUP == 3 ? 27 : 9;
    /** Words a 16-bit accumulator can take: each adds at most FIELDS * GROUP * 128 in magnitude. */
    static final int MAX_WORDS_PER_RUN = Short.MAX_VALUE / (FIELDS * GROUP * 128);
    /** Above this K the exact I2_S integer (at most 128*K) no longer fits a float's 24-bit mantissa. */
    static final int MAX_I2S_COLS = 1 << 17;

    /** Entry patterns: PATTERNS[i][e] = digit i of e minus 1 (0 for unused entries). */
    private static final short[][] PATTERNS = new short[GROUP][ENTRIES];

    static {
        for (int e = 0; e < COMBOS; e++) {
            int v = e;
            for (int i = GROUP - 1; i >= 0; i--) {
                PATTERNS[i][e] = (short) (v % 3 - 1);
                v /= 3;
            }
        }
    }

    private static final Geometry SEG256 = new Geometry(256);
    private static final Geometry SEG128 = new Geometry(128);

    @Override
    public String name() {
        return "vector:lut";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    @Override
    public int rowAlignment() {
        return L;
    }

    /** K segmentation: words per segment, accumulator runs, and the matching activation-table layout. */
    static final class Geometry implements ActivationCache.Layout {
        final int segLen;
        final int wordsPerSeg;
        final int slots;
        final int runLen;

        Geometry(int segLen) {
            this.segLen = segLen;
            int groups = (segLen + GROUP - 1) / GROUP;
            this.wordsPerSeg = (groups + FIELDS - 1) / FIELDS;
            this.slots = wordsPerSeg * FIELDS;
            int runs = (wordsPerSeg + MAX_WORDS_PER_RUN - 1) / MAX_WORDS_PER_RUN;
            this.runLen = (wordsPerSeg + runs - 1) / runs;
        }

        @Override
        public int shortsPerRow(int cols) {
            return cols / segLen * slots * ENTRIES;
        }

        @Override
        public void fill(QuantizedActivations x, short[] out) {
            int k = x.cols();
            byte[] q = x.quants();
            int perRow = shortsPerRow(k);
            for (int n = 0; n < x.rows(); n++) {
                int o = n * perRow;
                for (int s = 0; s < k / segLen; s++) {
                    int base = n * k + s * segLen;
                    for (int slot = 0; slot < slots; slot++, o += ENTRIES) {
                        for (int p = 0; p < ENTRIES / L; p++) {
                            ShortVector t = ShortVector.zero(S);
                            for (int i = 0; i < GROUP; i++) {
                                int j = slot * GROUP + i;
                                if (j < segLen) {
                                    t = t.add(ShortVector.fromArray(S, PATTERNS[i], p * L).mul(q[base + j]));
                                }
                            }
                            t.intoArray(out, o + p * L);
                        }
                    }
                }
            }
        }
    }

    /** Weights in the LUT layout, off-heap (freed with the object). */
    static final class Prepared implements PreparedWeights {
        final TernaryMatrix matrix;
        final Geometry geo;
        final int segs;
        /** Words: ((group * segs + seg) * wordsPerSeg + word) * L shorts. */
        final MemorySegment words;
        /** TQ block scales: ((group * segs + seg) * L + lane) floats; empty for I2_S. */
        final MemorySegment scales;

        Prepared(TernaryMatrix matrix, Geometry geo, MemorySegment words, MemorySegment scales) {
            this.matrix = matrix;
            this.geo = geo;
            this.segs = matrix.cols() / geo.segLen;
            this.words = words;
            this.scales = scales;
        }

        @Override
        public TernaryMatrix matrix() {
            return matrix;
        }

        @Override
        public long extraBytes() {
            return words.byteSize() + scales.byteSize();
        }
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix m) {
        boolean i2s = m.format() == TernaryFormat.I2_S;
        if (i2s && m.cols() > MAX_I2S_COLS) {
            throw new IllegalArgumentException(name() + ": " + m + " has K=" + m.cols() + "; I2_S supports K up to "
                    + MAX_I2S_COLS);
        }
        Geometry geo = m.cols() % 256 == 0 ? SEG256 : SEG128;
        int segs = m.cols() / geo.segLen;
        int groups = (m.rows() + L - 1) / L;
        long wordShorts = (long) groups * segs * geo.wordsPerSeg * L;
        Arena arena = Arena.ofAuto();
        MemorySegment words = arena.allocate(wordShorts * 2, 64);
        MemorySegment scales = i2s ? MemorySegment.ofArray(new byte[0])
                : arena.allocate((long) groups * segs * L * 4, 64);
        int[] pow = GROUP == 3 ? new int[] {9, 3, 1} : new int[] {3, 1};
        byte[][] codes = new byte[L][m.cols()];
        for (int g = 0; g < groups; g++) {
            for (int lane = 0; lane < L; lane++) {
                int r = g * L + lane;
                if (r < m.rows()) {
                    TernaryCodec.decodeRowCodes(m, r, codes[lane]);
                } else {
                    Arrays.fill(codes[lane], (byte) 1); // padding rows: zero weights
                }
            }
            for (int s = 0; s < segs; s++) {
                for (int w = 0; w < geo.wordsPerSeg; w++) {
                    long off = (((long) g * segs + s) * geo.wordsPerSeg + w) * L * 2;
                    for (int lane = 0; lane < L; lane++) {
                        int word = 0;
                        for (int f = 0; f < FIELDS; f++) {
                            int e = 0;
                            for (int i = 0; i < GROUP; i++) {
                                int j = (w * FIELDS + f) * GROUP + i;
                                int code = j < geo.segLen ? codes[lane][s * geo.segLen + j] : 1;
                                e += code * pow[i];
                            }
                            word |= e << (f * FIELD_BITS);
                        }
                        words.set(ValueLayout.JAVA_SHORT_UNALIGNED, off + lane * 2L, (short) word);
                    }
                }
                if (!i2s) {
                    for (int lane = 0; lane < L; lane++) {
                        int r = g * L + lane;
                        float d = r < m.rows() ? TernaryCodec.blockScale(m, r, s) : 0f;
                        scales.set(F32, (((long) g * segs + s) * L + lane) * 4, d);
                    }
                }
            }
        }
        return new Prepared(m, geo, words.asReadOnly(), scales.asReadOnly());
    }

    private Prepared require(PreparedWeights pw) {
        if (pw instanceof Prepared p) {
            return p;
        }
        throw new IllegalArgumentException(name() + " needs weights from its own prepare(), got "
                + pw.getClass().getSimpleName() + " for " + pw.matrix());
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        Prepared w = require(pw);
        if (rowStart == rowEnd) {
            return;
        }
        int tokens = x.rows();
        int m = w.matrix.rows();
        short[] tables = ActivationCache.get().activations(x, w.geo);
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(y, yOffset + t * m + rowStart, yOffset + t * m + rowEnd, 0f);
        }
        boolean i2s = x.format() == ActivationFormat.I8_S;
        int g0 = rowStart / L;
        int g1 = (rowEnd + L - 1) / L;
        int perToken = w.geo.shortsPerRow(w.matrix.cols());
        int[] sums = ActivationCache.get().ints(2 * L);
        float[] dx = i2s ? null : x.scales();
        // Segment-major so that a token's tables for one segment (5.5 KB at 512 bits) stay in L1 while
        // every row group's words stream past them. Reusing each word for several tokens was measured no
        // faster: the lookups, not the loads, bound this loop.
        for (int s = 0; s < w.segs; s++) {
            for (int t = 0; t < tokens; t++) {
                int tOff = t * perToken + s * w.geo.slots * ENTRIES;
                float d = i2s ? Float.NaN : dx[t * w.segs + s];
                int yRow = yOffset + t * m;
                for (int g = g0; g < g1; g++) {
                    int yBase = yRow + g * L;
                    if (!TWO_TABLES && g + 1 < g1 && g * L >= rowStart && g * L + 2 * L <= rowEnd) {
                        sums2(w, g, s, tables, tOff, sums);
                        accumulate(w, g, s, sums, 0, d, y, yBase, 0, L);
                        accumulate(w, g + 1, s, sums, L, d, y, yBase + L, 0, L);
                        g++;
                    } else {
                        sums1(w, g, s, tables, tOff, sums);
                        accumulate(w, g, s, sums, 0, d, y, yBase,
                                Math.max(rowStart, g * L) - g * L, Math.min(rowEnd, g * L + L) - g * L);
                    }
                }
            }
        }
        if (i2s) {
            float scale = w.matrix.tensorScale();
            for (int t = 0; t < tokens; t++) {
                int sum = x.sums()[t];
                float s = x.scales()[t];
                int base = yOffset + t * m;
                for (int r = rowStart; r < rowEnd; r++) {
                    int dot = (int) y[base + r] + sum;
                    y[base + r] = ((float) dot - (float) sum) / s * scale;
                }
            }
        }
    }

    // The hot methods below never pass a vector to a method that might not be inlined (C2 would box it
    // and allocate): integer sums leave through an int[] and accumulate() reloads them. For the same
    // reason they stay small: past C2's node budget, inlining stops and vectors get boxed.

    private static long wordOffset(Prepared w, int g, int s) {
        return ((long) g * w.segs + s) * w.geo.wordsPerSeg * L * 2;
    }

    /**
     * Exact integer sums of segment {@code s} of row group {@code g} for one token into
     * {@code out[0..L)}; {@code tOff}: the token's tables for this segment.
     */
    private static void sums1(Prepared w, int g, int s, short[] tables, int tOff, int[] out) {
        Geometry geo = w.geo;
        MemorySegment words = w.words;
        long wOff = wordOffset(w, g, s);
        IntVector a0 = IntVector.zero(VectorWidth.INT);
        IntVector a1 = IntVector.zero(VectorWidth.INT);
        int word = 0;
        while (word < geo.wordsPerSeg) {
            int end = Math.min(geo.wordsPerSeg, word + geo.runLen);
            ShortVector acc = ShortVector.zero(S);
            for (; word < end; word++) {
                ShortVector idx = ShortVector.fromMemorySegment(S, words, wOff + (long) word * L * 2, ByteOrder.LITTLE_ENDIAN);
                int tb = tOff + word * FIELDS * ENTRIES;
                ShortVector v = lookup(idx, tables, tb)
                        .add(lookup(idx.lanewise(VectorOperators.LSHR, FIELD_BITS), tables, tb + ENTRIES))
                        .add(lookup(idx.lanewise(VectorOperators.LSHR, 2 * FIELD_BITS), tables, tb + 2 * ENTRIES));
                if (FIELDS == 4) {
                    v = v.add(lookup(idx.lanewise(VectorOperators.LSHR, 3 * FIELD_BITS), tables, tb + 3 * ENTRIES));
                }
                acc = acc.add(v);
            }
            a0 = a0.add(acc.convert(VectorOperators.S2I, 0));
            a1 = a1.add(acc.convert(VectorOperators.S2I, 1));
        }
        a0.intoArray(out, 0);
        a1.intoArray(out, HALF);
    }

    /**
     * {@link #sums1} for the row groups {@code g} and {@code g + 1} into {@code out[0..2L)}, each table loaded
     * once for both (single-vector tables only). Measured about 15 % faster than two {@link #sums1} calls.
     */
    private static void sums2(Prepared w, int g, int s, short[] tables, int tOff, int[] out) {
        Geometry geo = w.geo;
        MemorySegment words = w.words;
        long wOff = wordOffset(w, g, s);
        long wOff2 = wordOffset(w, g + 1, s);
        IntVector a0 = IntVector.zero(VectorWidth.INT);
        IntVector a1 = IntVector.zero(VectorWidth.INT);
        IntVector b0 = IntVector.zero(VectorWidth.INT);
        IntVector b1 = IntVector.zero(VectorWidth.INT);
        int word = 0;
        while (word < geo.wordsPerSeg) {
            int end = Math.min(geo.wordsPerSeg, word + geo.runLen);
            ShortVector acc = ShortVector.zero(S);
            ShortVector acc2 = ShortVector.zero(S);
            for (; word < end; word++) {
                ShortVector i0 = ShortVector.fromMemorySegment(S, words, wOff + (long) word * L * 2, ByteOrder.LITTLE_ENDIAN);
                ShortVector j0 = ShortVector.fromMemorySegment(S, words, wOff2 + (long) word * L * 2, ByteOrder.LITTLE_ENDIAN);
                int tb = tOff + word * FIELDS * ENTRIES;
                ShortVector t0 = ShortVector.fromArray(S, tables, tb);
                ShortVector t1 = ShortVector.fromArray(S, tables, tb + ENTRIES);
                ShortVector t2 = ShortVector.fromArray(S, tables, tb + 2 * ENTRIES);
                ShortVector t3 = FIELDS == 4 ? ShortVector.fromArray(S, tables, tb + 3 * ENTRIES) : t2;
                acc = acc.add(lookups(i0, t0, t1, t2, t3));
                acc2 = acc2.add(lookups(j0, t0, t1, t2, t3));
            }
            a0 = a0.add(acc.convert(VectorOperators.S2I, 0));
            a1 = a1.add(acc.convert(VectorOperators.S2I, 1));
            b0 = b0.add(acc2.convert(VectorOperators.S2I, 0));
            b1 = b1.add(acc2.convert(VectorOperators.S2I, 1));
        }
        a0.intoArray(out, 0);
        a1.intoArray(out, HALF);
        b0.intoArray(out, L);
        b1.intoArray(out, L + HALF);
    }

    /** Every field of {@code idx} looked up in its single-vector table ({@code t3} unused with 3 fields). */
    private static ShortVector lookups(ShortVector idx, ShortVector t0, ShortVector t1, ShortVector t2, ShortVector t3) {
        ShortVector v = idx.selectFrom(t0)
                .add(idx.lanewise(VectorOperators.LSHR, FIELD_BITS).selectFrom(t1))
                .add(idx.lanewise(VectorOperators.LSHR, 2 * FIELD_BITS).selectFrom(t2));
        if (FIELDS == 4) {
            v = v.add(idx.lanewise(VectorOperators.LSHR, 3 * FIELD_BITS).selectFrom(t3));
        }
        return v;
    }

    /**
     * {@code y[yBase + lane] += sums[off + lane]} for lanes {@code [laneLo, laneHi)}: TQ scales the segment's
     * integers by {@code dx * d_w} first (the oracle's {@code sumf += (float) sumi * (d_x * d_w)}); I2_S
     * ({@code dx} NaN) adds them as they are, exact integers in float.
     */
    private static void accumulate(Prepared w, int g, int s, int[] sums, int off, float dx,
                                   float[] y, int yBase, int laneLo, int laneHi) {
        FloatVector f0 = (FloatVector) IntVector.fromArray(VectorWidth.INT, sums, off).convert(VectorOperators.I2F, 0);
        FloatVector f1 = (FloatVector) IntVector.fromArray(VectorWidth.INT, sums, off + HALF).convert(VectorOperators.I2F, 0);
        if (!Float.isNaN(dx)) {
            long sOff = (((long) g * w.segs + s) * L) * 4;
            f0 = f0.mul(FloatVector.fromMemorySegment(F, w.scales, sOff, ByteOrder.LITTLE_ENDIAN).mul(dx));
            f1 = f1.mul(FloatVector.fromMemorySegment(F, w.scales, sOff + HALF * 4L, ByteOrder.LITTLE_ENDIAN).mul(dx));
        }
        if (laneLo == 0 && laneHi == L) {
            FloatVector.fromArray(F, y, yBase).add(f0).intoArray(y, yBase);
            FloatVector.fromArray(F, y, yBase + HALF).add(f1).intoArray(y, yBase + HALF);
        } else {
            VectorMask<Float> m0 = F.indexInRange(-laneLo, laneHi - laneLo);
            VectorMask<Float> m1 = F.indexInRange(HALF - laneLo, laneHi - laneLo);
            FloatVector.fromArray(F, y, yBase, m0).add(f0).intoArray(y, yBase, m0);
            FloatVector.fromArray(F, y, yBase + HALF, m1).add(f1).intoArray(y, yBase + HALF, m1);
        }
    }

    private static ShortVector lookup(ShortVector idx, short[] tables, int off) {
        if (TWO_TABLES) {
            return idx.selectFrom(ShortVector.fromArray(S, tables, off), ShortVector.fromArray(S, tables, off + L));
        }
        return idx.selectFrom(ShortVector.fromArray(S, tables, off));
    }
}
