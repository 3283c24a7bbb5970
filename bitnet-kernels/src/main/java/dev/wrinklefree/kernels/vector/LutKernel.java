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
 * when K is not a multiple of 256), stored segment by segment so that the kernel's pass over a segment
 * reads memory in order (cold weights stream at the prefetchers' pace); per segment, words of {@code L} shorts, lane = row, each holding 3
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
    /**
     * Java has no prefetch instruction, so {@link #sums2} loads one long of every 64-byte line this far ahead of
     * the words it reads and keeps the sum: more misses in flight. Measured on cold (DRAM) weights, one thread:
     * 33 G weights/s without, 64-66 with 1-2 KB ahead, no gain from 4 KB or more. Touching every line rather
     * than every other one (leaving the second line of each pair to the adjacent-line prefetcher) made decode of
     * bitnet-2b-4t I2_S on 2 threads 29 % faster (21.5 against 16.6 tokens/s, 2 interleaved rounds) and cold
     * 2560x2560 GEMVs on 2 threads 10-15 % faster; hot, it costs 2-10 % (one more load per word).
     */
    static final long AHEAD_BYTES = 2048;
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

    /**
     * K segmentation: words per segment, accumulator runs, and the matching activation-table layout: segment
     * major ({@code [segment][token][slot][entry]}), so that the tables of one segment for all tokens are
     * contiguous.
     */
    static final class Geometry implements ActivationCache.Layout {
        final int segLen;
        final int wordsPerSeg;
        final int slots;
        final int runLen;
        /** Shorts of one token's tables for one segment. */
        final int segShorts;

        Geometry(int segLen) {
            this.segLen = segLen;
            int groups = (segLen + GROUP - 1) / GROUP;
            this.wordsPerSeg = (groups + FIELDS - 1) / FIELDS;
            this.slots = wordsPerSeg * FIELDS;
            int runs = (wordsPerSeg + MAX_WORDS_PER_RUN - 1) / MAX_WORDS_PER_RUN;
            this.runLen = (wordsPerSeg + runs - 1) / runs;
            this.segShorts = slots * ENTRIES;
        }

        @Override
        public int shortsPerRow(int cols) {
            return cols / segLen * segShorts;
        }

        /** Index of the tables of token {@code t} (of {@code tokens}) for segment {@code s}. */
        int tableOffset(int s, int t, int tokens) {
            return (s * tokens + t) * segShorts;
        }

        @Override
        public void fill(QuantizedActivations x, short[] out) {
            for (int s = 0; s < x.cols() / segLen; s++) {
                fillSegment(x, s, out);
            }
        }

        // Vectors stay local: no helper takes or returns one (see the note above sums1).
        private void fillSegment(QuantizedActivations x, int s, short[] out) {
            int k = x.cols();
            int tokens = x.rows();
            byte[] q = x.quants();
            ShortVector p0 = ShortVector.fromArray(S, PATTERNS[0], 0);
            ShortVector p1 = ShortVector.fromArray(S, PATTERNS[1], 0);
            ShortVector p2 = ShortVector.fromArray(S, PATTERNS[GROUP - 1], 0);
            ShortVector h0 = ShortVector.fromArray(S, PATTERNS[0], ENTRIES - L); // second halves (two-vector tables)
            ShortVector h1 = ShortVector.fromArray(S, PATTERNS[1], ENTRIES - L);
            for (int t = 0; t < tokens; t++) {
                int base = t * k + s * segLen;
                int o = tableOffset(s, t, tokens);
                for (int slot = 0; slot < slots; slot++, o += ENTRIES) {
                    int j = slot * GROUP; // the segment's last slots hold fewer weights, or none: zeros
                    short x0 = j < segLen ? q[base + j] : 0;
                    short x1 = j + 1 < segLen ? q[base + j + 1] : 0;
                    ShortVector v = p0.mul(x0).add(p1.mul(x1));
                    if (GROUP == 3) {
                        v = v.add(p2.mul(j + 2 < segLen ? q[base + j + 2] : 0));
                    }
                    v.intoArray(out, o);
                    if (TWO_TABLES) {
                        h0.mul(x0).add(h1.mul(x1)).intoArray(out, o + L);
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
        final int groups;
        /**
         * Words, segment-major so that a pass over one segment streams memory in order:
         * ((seg * groups + group) * wordsPerSeg + word) * L shorts.
         */
        final MemorySegment words;
        /** TQ block scales: ((seg * groups + group) * L + lane) floats; empty for I2_S. */
        final MemorySegment scales;

        Prepared(TernaryMatrix matrix, Geometry geo, MemorySegment words, MemorySegment scales) {
            this.matrix = matrix;
            this.geo = geo;
            this.segs = matrix.cols() / geo.segLen;
            this.groups = (matrix.rows() + L - 1) / L;
            this.words = words;
            this.scales = scales;
        }

        /** Byte offset of word 0 of row group {@code g}, segment {@code s}. */
        long wordOffset(int g, int s) {
            return ((long) s * groups + g) * geo.wordsPerSeg * L * 2;
        }

        /** Byte offset of the scales of row group {@code g}, segment {@code s}. */
        long scaleOffset(int g, int s) {
            return ((long) s * groups + g) * L * 4;
        }

        @Override
        public TernaryMatrix matrix() {
            return matrix;
        }

        @Override
        public long extraBytes() {
            return words.byteSize() + scales.byteSize();
        }

        /** Decodes row {@code row} back to codes (0, 1, 2): the round trip of the repacking. */
        void decodeRowCodes(int row, byte[] codes) {
            int g = row / L;
            int lane = row % L;
            for (int s = 0; s < segs; s++) {
                for (int w = 0; w < geo.wordsPerSeg; w++) {
                    long off = wordOffset(g, s) + (long) w * L * 2 + lane * 2L;
                    int word = words.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off) & 0xFFFF;
                    for (int f = 0; f < FIELDS; f++) {
                        int e = (word >>> (f * FIELD_BITS)) & ((1 << FIELD_BITS) - 1);
                        for (int i = GROUP - 1; i >= 0; i--, e /= 3) {
                            int j = (w * FIELDS + f) * GROUP + i;
                            if (j < geo.segLen) {
                                codes[s * geo.segLen + j] = (byte) (e % 3);
                            }
                        }
                    }
                }
            }
        }

        /** The block scale the layout holds for row {@code row}, segment {@code s} (TQ only). */
        float blockScale(int row, int s) {
            return scales.get(F32, scaleOffset(row / L, s) + (row % L) * 4L);
        }
    }

    /**
     * Refuses I2_S with K above {@link #MAX_I2S_COLS}: kernels that sum the exact row integer in a float.
     *
     * @throws IllegalArgumentException naming the kernel and the matrix
     */
    static void requireI2sCols(TernaryKernel kernel, TernaryMatrix m) {
        if (m.format() == TernaryFormat.I2_S && m.cols() > MAX_I2S_COLS) {
            throw new IllegalArgumentException(kernel.name() + ": " + m + " has K=" + m.cols()
                    + "; I2_S supports K up to " + MAX_I2S_COLS);
        }
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix m) {
        boolean i2s = m.format() == TernaryFormat.I2_S;
        requireI2sCols(this, m);
        TernaryCodec.requireTernaryCodes(m, name() + "'s base-3 layout"); // code 3 would index past the 27 entries
        Geometry geo = m.cols() % 256 == 0 ? SEG256 : SEG128;
        int segs = m.cols() / geo.segLen;
        int groups = (m.rows() + L - 1) / L;
        long wordShorts = (long) groups * segs * geo.wordsPerSeg * L;
        Arena arena = Arena.ofAuto();
        MemorySegment words = arena.allocate(wordShorts * 2, 64);
        MemorySegment scales = i2s ? MemorySegment.ofArray(new byte[0])
                : arena.allocate((long) groups * segs * L * 4, 64);
        int wordsPerGroup = segs * geo.wordsPerSeg;
        short[] groupWords = new short[wordsPerGroup * L];
        float[] groupScales = new float[segs * L];
        byte[] codes = new byte[m.cols()];
        for (int g = 0; g < groups; g++) {
            for (int lane = 0; lane < L; lane++) {
                int r = g * L + lane;
                if (r < m.rows()) {
                    TernaryCodec.decodeRowCodes(m, r, codes);
                } else {
                    Arrays.fill(codes, (byte) 1); // padding rows: zero weights
                }
                for (int s = 0; s < segs; s++) {
                    int base = s * geo.segLen;
                    for (int w = 0; w < geo.wordsPerSeg; w++) {
                        int word = 0;
                        for (int f = 0; f < FIELDS; f++) {
                            int j = (w * FIELDS + f) * GROUP; // first weight of this field's group within the segment
                            int e;
                            if (j + GROUP <= geo.segLen) {
                                int k = base + j;
                                e = GROUP == 3 ? 9 * codes[k] + 3 * codes[k + 1] + codes[k + 2] : 3 * codes[k] + codes[k + 1];
                            } else {
                                e = 0; // the segment's last group: padding weights are zeros (code 1)
                                for (int i = 0; i < GROUP; i++) {
                                    e = e * 3 + (j + i < geo.segLen ? codes[base + j + i] : 1);
                                }
                            }
                            word |= e << (f * FIELD_BITS);
                        }
                        groupWords[(s * geo.wordsPerSeg + w) * L + lane] = (short) word;
                    }
                    if (!i2s) {
                        groupScales[s * L + lane] = r < m.rows() ? TernaryCodec.blockScale(m, r, s) : 0f;
                    }
                }
            }
            for (int s = 0; s < segs; s++) {
                long segStart = ((long) s * groups + g) * geo.wordsPerSeg * L * 2; // as Prepared.wordOffset
                MemorySegment.copy(groupWords, s * geo.wordsPerSeg * L, words,
                        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), segStart, geo.wordsPerSeg * L);
                if (!i2s) {
                    MemorySegment.copy(groupScales, s * L, scales, F32, ((long) s * groups + g) * L * 4, L);
                }
            }
        }
        return new Prepared(m, geo, words.asReadOnly(), scales.asReadOnly());
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        Prepared w = requirePrepared(pw, Prepared.class);
        if (rowStart == rowEnd) {
            return;
        }
        int tokens = x.rows();
        int m = w.matrix.rows();
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(y, yOffset + t * m + rowStart, yOffset + t * m + rowEnd, 0f);
        }
        // Each thread builds its own tables (ActivationCache). Sharing one build between the threads of a
        // call was measured slower: 2560x2560 TQ2_0 on 2 threads took 67 instead of 52 us, because each
        // thread then reads half of its tables from the other core's cache, which costs more than building
        // them (2.2 us for K=2560).
        short[] tables = ActivationCache.get().activations(x, w.geo);
        compute(w, x, y, yOffset, rowStart, rowEnd, tables);
        if (x.format() == ActivationFormat.I8_S) {
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

    /** Rows {@code [rowStart, rowEnd)} into {@code y} (zeroed), from the activation tables {@code tables}. */
    private static void compute(Prepared w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd,
                                short[] tables) {
        int tokens = x.rows();
        int m = w.matrix.rows();
        boolean i2s = x.format() == ActivationFormat.I8_S;
        int g0 = rowStart / L;
        int g1 = (rowEnd + L - 1) / L;
        int[] sums = ActivationCache.get().ints(2 * L + 1);
        float[] dx = i2s ? null : x.scales();
        // Segment-major so that a token's tables for one segment (5.5 KB at 512 bits) stay in L1 while
        // every row group's words stream past them. Reusing each word for several tokens was measured no
        // faster: the lookups, not the loads, bound this loop.
        for (int s = 0; s < w.segs; s++) {
            for (int t = 0; t < tokens; t++) {
                int tOff = w.geo.tableOffset(s, t, tokens);
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
    }

    // The hot methods below call no method of their own with a vector argument or result: C2 boxes a vector
    // whenever such a call is not inlined, and whether it is depends on timing (a helper that C2 compiled
    // on its own first is "already compiled into a big method" and stays a call). That left some JVMs
    // 1000x slower. Integer sums leave through an int[] and accumulate() reloads them. The methods also
    // stay small: past C2's node budget inlining stops too.

    /**
     * Exact integer sums of segment {@code s} of row group {@code g} for one token into
     * {@code out[0..L)}; {@code tOff}: the token's tables for this segment.
     */
    private static void sums1(Prepared w, int g, int s, short[] tables, int tOff, int[] out) {
        Geometry geo = w.geo;
        MemorySegment words = w.words;
        long wOff = w.wordOffset(g, s);
        IntVector a0 = IntVector.zero(VectorWidth.INT);
        IntVector a1 = IntVector.zero(VectorWidth.INT);
        int word = 0;
        while (word < geo.wordsPerSeg) {
            int end = Math.min(geo.wordsPerSeg, word + geo.runLen);
            ShortVector acc = ShortVector.zero(S);
            for (; word < end; word++) {
                ShortVector idx = ShortVector.fromMemorySegment(S, words, wOff + (long) word * L * 2, ByteOrder.LITTLE_ENDIAN);
                int tb = tOff + word * FIELDS * ENTRIES;
                ShortVector i1 = idx.lanewise(VectorOperators.LSHR, FIELD_BITS);
                ShortVector i2 = idx.lanewise(VectorOperators.LSHR, 2 * FIELD_BITS);
                ShortVector v;
                if (TWO_TABLES) { // 128 bits: pairs, 4 fields, 16-entry tables in two vectors
                    ShortVector i3 = idx.lanewise(VectorOperators.LSHR, 3 * FIELD_BITS);
                    v = idx.selectFrom(ShortVector.fromArray(S, tables, tb), ShortVector.fromArray(S, tables, tb + L))
                            .add(i1.selectFrom(ShortVector.fromArray(S, tables, tb + ENTRIES),
                                    ShortVector.fromArray(S, tables, tb + ENTRIES + L)))
                            .add(i2.selectFrom(ShortVector.fromArray(S, tables, tb + 2 * ENTRIES),
                                    ShortVector.fromArray(S, tables, tb + 2 * ENTRIES + L)))
                            .add(i3.selectFrom(ShortVector.fromArray(S, tables, tb + 3 * ENTRIES),
                                    ShortVector.fromArray(S, tables, tb + 3 * ENTRIES + L)));
                } else {
                    v = idx.selectFrom(ShortVector.fromArray(S, tables, tb))
                            .add(i1.selectFrom(ShortVector.fromArray(S, tables, tb + ENTRIES)))
                            .add(i2.selectFrom(ShortVector.fromArray(S, tables, tb + 2 * ENTRIES)));
                    if (FIELDS == 4) {
                        v = v.add(idx.lanewise(VectorOperators.LSHR, 3 * FIELD_BITS)
                                .selectFrom(ShortVector.fromArray(S, tables, tb + 3 * ENTRIES)));
                    }
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
        long wOff = w.wordOffset(g, s);
        long wOff2 = w.wordOffset(g + 1, s);
        long last = words.byteSize() - 8;
        long touched = 0;
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
                touched += words.get(ValueLayout.JAVA_LONG_UNALIGNED, Math.min(wOff + AHEAD_BYTES + word * 128L, last));
                touched += words.get(ValueLayout.JAVA_LONG_UNALIGNED, Math.min(wOff + AHEAD_BYTES + 64 + word * 128L, last));
                ShortVector i0 = ShortVector.fromMemorySegment(S, words, wOff + (long) word * L * 2, ByteOrder.LITTLE_ENDIAN);
                ShortVector j0 = ShortVector.fromMemorySegment(S, words, wOff2 + (long) word * L * 2, ByteOrder.LITTLE_ENDIAN);
                int tb = tOff + word * FIELDS * ENTRIES;
                ShortVector t0 = ShortVector.fromArray(S, tables, tb);
                ShortVector t1 = ShortVector.fromArray(S, tables, tb + ENTRIES);
                ShortVector t2 = ShortVector.fromArray(S, tables, tb + 2 * ENTRIES);
                ShortVector t3 = FIELDS == 4 ? ShortVector.fromArray(S, tables, tb + 3 * ENTRIES) : t2;
                ShortVector u = i0.selectFrom(t0)
                        .add(i0.lanewise(VectorOperators.LSHR, FIELD_BITS).selectFrom(t1))
                        .add(i0.lanewise(VectorOperators.LSHR, 2 * FIELD_BITS).selectFrom(t2));
                ShortVector v = j0.selectFrom(t0)
                        .add(j0.lanewise(VectorOperators.LSHR, FIELD_BITS).selectFrom(t1))
                        .add(j0.lanewise(VectorOperators.LSHR, 2 * FIELD_BITS).selectFrom(t2));
                if (FIELDS == 4) {
                    u = u.add(i0.lanewise(VectorOperators.LSHR, 3 * FIELD_BITS).selectFrom(t3));
                    v = v.add(j0.lanewise(VectorOperators.LSHR, 3 * FIELD_BITS).selectFrom(t3));
                }
                acc = acc.add(u);
                acc2 = acc2.add(v);
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
        out[2 * L] = (int) touched; // a sink C2 cannot drop, so neither can it drop the loads
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
            long sOff = w.scaleOffset(g, s);
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
}
