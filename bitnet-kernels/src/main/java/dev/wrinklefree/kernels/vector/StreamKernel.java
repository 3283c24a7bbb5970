package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.Fp16;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Kernels that stream the standard packed bytes as they are (no repacking, so a model file is used in
 * place): each vector of packed bytes is spread over 16-bit lanes, the codes (0, 1, 2) are cut out with
 * shifts and masks (base-3 digits for TQ1_0) and multiplied with activations widened to 16 bits.
 *
 * <p>Two ways to reach 16-bit lanes, the two strategies:
 * <ul>
 *   <li>{@link Unpack#SWAR} ({@code vector:swar}): reinterpret the bytes as shorts; the even byte sits in
 *       the low half, the odd byte in the high half, and one more shift separates them. No cross-lane work.
 *   <li>{@link Unpack#CONVERT} ({@code vector:mul16}): zero-extend the low and high halves of the byte
 *       vector with lane conversions ({@code vpmovzxbw}).
 * </ul>
 *
 * <p>The activations are rearranged once per call (per thread) into exactly the order in which the
 * lanes meet the codes: per chunk of {@code VB} packed bytes and per 2-bit (or base-3) digit, the
 * activations of the low lanes, then of the high lanes. Slots that meet padding get 0, so loads may read
 * past a block's codes into its scale or the next block without changing the sum.
 *
 * <p>Products {@code code * q} (codes 0..2, at most 256 in magnitude) accumulate in 16-bit lanes for at
 * most 64 products per lane, then widen to 32 bits: exact on every input. The +1 code offset is removed
 * with the activation sums ({@code sum((c-1)q) = sum(c*q) - sum(q)}), then the float epilogue is the
 * oracle's, block by block, so results are bit-identical to {@code ScalarKernel}.
 */
final class StreamKernel implements TernaryKernel {
    /** How packed bytes become 16-bit lanes. */
    enum Unpack { SWAR, CONVERT }

    private static final VectorSpecies<Byte> B = VectorWidth.BYTE;
    private static final VectorSpecies<Short> S = VectorWidth.SHORT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Packed bytes per chunk (one vector load). */
    static final int VB = B.length();
    /** 16-bit lanes per vector. */
    static final int L = S.length();
    /** 2-bit chunks of I2_S whose 16-bit sums may accumulate before widening (8 products per lane per chunk). */
    private static final int I2S_CHUNKS_PER_WIDEN = 8;
    private static final int TQ2_CHUNKS = 64 / VB;
    /** TQ1_0 has 52 bytes of base-3 digits per block (48 qs + 4 qh). */
    private static final int TQ1_CHUNKS = (52 + VB - 1) / VB;

    private final Unpack unpack;
    private final Layout i2sLayout;
    private final Layout tq2Layout;
    private final Layout tq1Layout;

    StreamKernel(Unpack unpack) {
        this.unpack = unpack;
        this.i2sLayout = Layout.of(TernaryFormat.I2_S, unpack);
        this.tq2Layout = Layout.of(TernaryFormat.TQ2_0, unpack);
        this.tq1Layout = Layout.of(TernaryFormat.TQ1_0, unpack);
    }

    @Override
    public String name() {
        return unpack == Unpack.SWAR ? "vector:swar" : "vector:mul16";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    /**
     * Activations in lane order. Per row: for each chunk and digit, {@code L} activations met by the low
     * 16-bit lanes, then {@code L} met by the high lanes.
     */
    static final class Layout implements ActivationCache.Layout {
        private static final Layout[][] ALL = new Layout[TernaryFormat.values().length][Unpack.values().length];

        static {
            for (TernaryFormat f : TernaryFormat.values()) {
                for (Unpack u : Unpack.values()) {
                    ALL[f.ordinal()][u.ordinal()] = new Layout(f, u);
                }
            }
        }

        final TernaryFormat format;
        final Unpack unpack;
        final int digits;

        private Layout(TernaryFormat format, Unpack unpack) {
            this.format = format;
            this.unpack = unpack;
            this.digits = format == TernaryFormat.TQ1_0 ? 5 : 4;
        }

        static Layout of(TernaryFormat format, Unpack unpack) {
            return ALL[format.ordinal()][unpack.ordinal()];
        }

        /** Chunks (vector loads) per row. */
        int chunks(int cols) {
            return switch (format) {
                case I2_S -> (cols / 4 + VB - 1) / VB;
                case TQ2_0 -> cols / 256 * TQ2_CHUNKS;
                case TQ1_0 -> cols / 256 * TQ1_CHUNKS;
            };
        }

        @Override
        public int shortsPerRow(int cols) {
            return chunks(cols) * digits * 2 * L;
        }

        /** Byte of the chunk that lane {@code lane} of half {@code half} (0 low, 1 high) holds. */
        private int byteOf(int half, int lane) {
            return unpack == Unpack.SWAR ? 2 * lane + half : half * L + lane;
        }

        /** Element index within the row met by digit {@code d} of packed byte {@code p} of chunk {@code c}; -1 if none. */
        private int element(int cols, int c, int p, int d) {
            switch (format) {
                case I2_S -> {
                    int pos = c * VB + p; // byte within the row's stream
                    return pos < cols / 4 ? (pos >> 5) * 128 + 32 * d + (pos & 31) : -1;
                }
                case TQ2_0 -> {
                    int pos = (c % TQ2_CHUNKS) * VB + p;
                    return (c / TQ2_CHUNKS) * 256 + (pos >> 5) * 128 + 32 * d + (pos & 31);
                }
                default -> {
                    int pos = (c % TQ1_CHUNKS) * VB + p;
                    int base = (c / TQ1_CHUNKS) * 256;
                    if (pos < 32) {
                        return base + pos + 32 * d;
                    } else if (pos < 48) {
                        return base + 160 + (pos - 32) + 16 * d;
                    } else if (pos < 52 && d < 4) {
                        return base + 240 + (pos - 48) + 4 * d;
                    }
                    return -1;
                }
            }
        }

        @Override
        public void fill(QuantizedActivations x, short[] out) {
            int cols = x.cols();
            byte[] q = x.quants();
            int chunks = chunks(cols);
            int o = 0;
            for (int n = 0; n < x.rows(); n++) {
                int base = n * cols;
                for (int c = 0; c < chunks; c++) {
                    for (int d = 0; d < digits; d++) {
                        for (int half = 0; half < 2; half++) {
                            for (int lane = 0; lane < L; lane++) {
                                int k = element(cols, c, byteOf(half, lane), d);
                                out[o++] = k < 0 ? 0 : q[base + k];
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        TernaryMatrix w = pw.matrix();
        if (rowStart == rowEnd) {
            return;
        }
        Layout layout = switch (w.format()) {
            case I2_S -> i2sLayout;
            case TQ2_0 -> tq2Layout;
            case TQ1_0 -> tq1Layout;
        };
        short[] xs = ActivationCache.get().activations(x, layout);
        int perRow = layout.shortsPerRow(w.cols());
        int chunks = layout.chunks(w.cols());
        boolean convert = unpack == Unpack.CONVERT;
        MemorySegment seg = w.data();
        long rowBytes = w.rowBytes();
        int m = w.rows();
        int blocks = w.cols() / 256;
        for (int r = rowStart; r < rowEnd; r++) {
            long off = r * rowBytes;
            for (int t = 0; t < x.rows(); t++) {
                int xb = t * perRow;
                float v = switch (w.format()) {
                    case I2_S -> {
                        int dot = dotI2s(seg, off, chunks, xs, xb, convert);
                        int sum = x.sums()[t];
                        yield ((float) dot - (float) sum) / x.scales()[t] * w.tensorScale();
                    }
                    case TQ2_0 -> dotTq2(seg, off, blocks, xs, xb, x.scales(), x.sums(), t * blocks, convert);
                    case TQ1_0 -> dotTq1(seg, off, blocks, xs, xb, x.scales(), x.sums(), t * blocks, convert);
                };
                y[yOffset + t * m + r] = v;
            }
        }
    }

    /** 16-bit pairs summed into 32-bit lanes (all lanes belong to one row, so the pairing is free). */
    private static IntVector widen(ShortVector acc) {
        IntVector v = acc.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(v.lanewise(VectorOperators.ASHR, 16));
    }

    private static ShortVector low(ByteVector b, boolean convert) {
        return convert ? (ShortVector) b.convert(VectorOperators.ZERO_EXTEND_B2S, 0) : b.reinterpretAsShorts();
    }

    private static ShortVector high(ByteVector b, ShortVector low, boolean convert) {
        return convert ? (ShortVector) b.convert(VectorOperators.ZERO_EXTEND_B2S, 1)
                : low.lanewise(VectorOperators.LSHR, 8);
    }

    /** bitnet.cpp's raw I2_S dot: sum of code * q over the row (codes 0..2). */
    private static int dotI2s(MemorySegment seg, long off, int chunks, short[] xs, int xb, boolean convert) {
        IntVector acc32 = IntVector.zero(I);
        ShortVector acc = ShortVector.zero(S);
        for (int c = 0; c < chunks; c++) {
            ByteVector b = ByteVector.fromMemorySegment(B, seg, off + (long) c * VB, LE);
            ShortVector lo = low(b, convert);
            ShortVector hi = high(b, lo, convert);
            int xo = xb + c * 8 * L;
            for (int d = 0; d < 4; d++) {
                int shift = 6 - 2 * d;
                ShortVector ce = lo.lanewise(VectorOperators.LSHR, shift).and((short) 3);
                ShortVector co = hi.lanewise(VectorOperators.LSHR, shift).and((short) 3);
                acc = acc.add(ce.mul(ShortVector.fromArray(S, xs, xo + 2 * d * L)))
                        .add(co.mul(ShortVector.fromArray(S, xs, xo + (2 * d + 1) * L)));
            }
            if (c % I2S_CHUNKS_PER_WIDEN == I2S_CHUNKS_PER_WIDEN - 1) {
                acc32 = acc32.add(widen(acc));
                acc = ShortVector.zero(S);
            }
        }
        return acc32.add(widen(acc)).reduceLanes(VectorOperators.ADD);
    }

    /** ggml's TQ2_0 dot: per block sumi = sum (code-1) q, sumf += (float) sumi * (d_x * d_w). */
    private static float dotTq2(MemorySegment seg, long off, int blocks, short[] xs, int xb,
                                float[] dx, int[] blockSums, int sb, boolean convert) {
        float sumf = 0;
        for (int blk = 0; blk < blocks; blk++) {
            long bo = off + blk * 66L;
            ShortVector acc = ShortVector.zero(S);
            for (int c = 0; c < TQ2_CHUNKS; c++) {
                ByteVector b = ByteVector.fromMemorySegment(B, seg, bo + (long) c * VB, LE);
                ShortVector lo = low(b, convert);
                ShortVector hi = high(b, lo, convert);
                int xo = xb + (blk * TQ2_CHUNKS + c) * 8 * L;
                for (int d = 0; d < 4; d++) {
                    int shift = 2 * d;
                    ShortVector ce = lo.lanewise(VectorOperators.LSHR, shift).and((short) 3);
                    ShortVector co = hi.lanewise(VectorOperators.LSHR, shift).and((short) 3);
                    acc = acc.add(ce.mul(ShortVector.fromArray(S, xs, xo + 2 * d * L)))
                            .add(co.mul(ShortVector.fromArray(S, xs, xo + (2 * d + 1) * L)));
                }
            }
            int sumi = widen(acc).reduceLanes(VectorOperators.ADD) - blockSums[sb + blk];
            sumf += (float) sumi * (dx[sb + blk] * Fp16.get(seg, bo + 64));
        }
        return sumf;
    }

    /** ggml's TQ1_0 dot; digit n of a packed byte q is ((q * 3^n mod 256) * 3) >> 8, taken iteratively. */
    private static float dotTq1(MemorySegment seg, long off, int blocks, short[] xs, int xb,
                                float[] dx, int[] blockSums, int sb, boolean convert) {
        long size = seg.byteSize();
        float sumf = 0;
        for (int blk = 0; blk < blocks; blk++) {
            long bo = off + blk * 54L;
            ShortVector acc = ShortVector.zero(S);
            for (int c = 0; c < TQ1_CHUNKS; c++) {
                long co0 = bo + (long) c * VB;
                // Loads run up to 10 bytes past the codes (harmless: those slots meet zero activations),
                // except past the end of the tensor, where the load is masked.
                ByteVector b = co0 + VB <= size
                        ? ByteVector.fromMemorySegment(B, seg, co0, LE)
                        : ByteVector.fromMemorySegment(B, seg, co0, LE, B.indexInRange(0, (int) (size - co0)));
                ShortVector lo = low(b, convert);
                ShortVector hi = high(b, lo, convert);
                if (!convert) {
                    lo = lo.and((short) 0xFF);
                }
                int xo = xb + (blk * TQ1_CHUNKS + c) * 10 * L;
                for (int d = 0; d < 5; d++) {
                    ShortVector sl = lo.mul((short) 3);
                    ShortVector sh = hi.mul((short) 3);
                    ShortVector ce = sl.lanewise(VectorOperators.LSHR, 8);
                    ShortVector co = sh.lanewise(VectorOperators.LSHR, 8);
                    lo = sl.and((short) 0xFF);
                    hi = sh.and((short) 0xFF);
                    acc = acc.add(ce.mul(ShortVector.fromArray(S, xs, xo + 2 * d * L)))
                            .add(co.mul(ShortVector.fromArray(S, xs, xo + (2 * d + 1) * L)));
                }
            }
            int sumi = widen(acc).reduceLanes(VectorOperators.ADD) - blockSums[sb + blk];
            sumf += (float) sumi * (dx[sb + blk] * Fp16.get(seg, bo + 52));
        }
        return sumf;
    }
}
