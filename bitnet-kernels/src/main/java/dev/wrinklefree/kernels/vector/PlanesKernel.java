package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Bit-plane kernel: weights repacked at load time into two bit planes per row, +1 and -1, 64 weights per
 * long; each {@code L} bits become a vector mask ({@code kmov} on AVX-512) and the dot product is two
 * masked 16-bit adds: {@code acc += x where w = +1; acc -= x where w = -1}. No decoding and no multiply,
 * at the price of moving masks from general registers.
 *
 * <p>Layout: per row, per 64 weights (element order), the +1 plane's long then the -1 plane's long
 * (little-endian): {@code K/4} bytes per row, as dense as I2_S. TQ block scales are read from the
 * standard matrix. A lane takes at most 128 adds of at most 128 before its 16-bit sum is widened: exact for every input; the epilogue is the oracle's, so results are bit-identical.
 */
final class PlanesKernel implements TernaryKernel {
    private static final VectorSpecies<Short> S = VectorWidth.SHORT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int L = S.length();
    /** Each word adds up to 64 / L values of at most 128 to a lane: 2L words stay within 128 adds. */
    private static final int WORDS_PER_WIDEN = 2 * L;

    /** Activations widened to 16 bits in element order. */
    private static final ActivationCache.Layout WIDE = new ActivationCache.Layout() {
        @Override
        public int shortsPerRow(int cols) {
            return cols;
        }

        @Override
        public void fill(QuantizedActivations x, short[] out) {
            byte[] q = x.quants();
            int n = x.rows() * x.cols();
            for (int i = 0; i < n; i++) {
                out[i] = q[i];
            }
        }
    };

    @Override
    public String name() {
        return "vector:planes";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    /** The two planes, off-heap: row r, word i at byte {@code (r * K/64 + i) * 16} (+1 plane), {@code + 8} (-1 plane). */
    static final class Prepared implements PreparedWeights {
        final TernaryMatrix matrix;
        final MemorySegment planes;

        Prepared(TernaryMatrix matrix, MemorySegment planes) {
            this.matrix = matrix;
            this.planes = planes;
        }

        @Override
        public TernaryMatrix matrix() {
            return matrix;
        }

        @Override
        public long extraBytes() {
            return planes.byteSize();
        }

        /** Decodes row {@code row} back to codes (0, 1, 2): the round trip of the repacking. */
        void decodeRowCodes(int row, byte[] codes) {
            int words = matrix.cols() / 64;
            for (int i = 0; i < words; i++) {
                long o = ((long) row * words + i) * 16;
                long plus = planes.get(I64, o);
                long minus = planes.get(I64, o + 8);
                for (int j = 0; j < 64; j++) {
                    codes[i * 64 + j] = (byte) (1 + (int) ((plus >>> j) & 1) - (int) ((minus >>> j) & 1));
                }
            }
        }
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix m) {
        TernaryCodec.requireTernaryCodes(m, name() + "'s two bit planes");
        int words = m.cols() / 64;
        MemorySegment planes = Arena.ofAuto().allocate((long) m.rows() * words * 16, 64);
        byte[] codes = new byte[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            TernaryCodec.decodeRowCodes(m, r, codes);
            for (int i = 0; i < words; i++) {
                long plus = 0;
                long minus = 0;
                for (int j = 0; j < 64; j++) {
                    int c = codes[i * 64 + j];
                    plus |= (long) (c == 2 ? 1 : 0) << j;
                    minus |= (long) (c == 0 ? 1 : 0) << j;
                }
                long o = ((long) r * words + i) * 16;
                planes.set(I64, o, plus);
                planes.set(I64, o + 8, minus);
            }
        }
        return new Prepared(m, planes.asReadOnly());
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        Prepared w = requirePrepared(pw, Prepared.class);
        if (rowStart == rowEnd) {
            return;
        }
        TernaryMatrix mat = w.matrix;
        short[] xs = ActivationCache.get().activations(x, WIDE);
        int k = mat.cols();
        int m = mat.rows();
        boolean i2s = x.format() == ActivationFormat.I8_S;
        int blocks = k / 256;
        for (int r = rowStart; r < rowEnd; r++) {
            long po = (long) r * (k / 64) * 16;
            for (int t = 0; t < x.rows(); t++) {
                int xb = t * k;
                float v;
                if (i2s) {
                    int dot = dot(w.planes, po, k / 64, xs, xb) + x.sums()[t];
                    v = ((float) dot - (float) x.sums()[t]) / x.scales()[t] * mat.tensorScale();
                } else {
                    v = 0;
                    for (int b = 0; b < blocks; b++) {
                        int sumi = dot(w.planes, po + b * 64L, 4, xs, xb + b * 256);
                        float dw = TernaryCodec.blockScale(mat, r, b);
                        v += (float) sumi * (x.scales()[t * blocks + b] * dw);
                    }
                }
                y[yOffset + t * m + r] = v;
            }
        }
    }

    /** Sum of (code - 1) * q over {@code words} 64-weight words starting at plane byte {@code po}. */
    private static int dot(MemorySegment planes, long po, int words, short[] xs, int xb) {
        IntVector acc32 = IntVector.zero(I);
        ShortVector acc = ShortVector.zero(S);
        for (int i = 0; i < words; i++) {
            long plus = planes.get(I64, po + i * 16L);
            long minus = planes.get(I64, po + i * 16L + 8);
            for (int h = 0; h < 64 / L; h++) {
                ShortVector xv = ShortVector.fromArray(S, xs, xb + i * 64 + h * L);
                acc = acc.add(xv, VectorMask.fromLong(S, plus >>> (h * L)))
                        .sub(xv, VectorMask.fromLong(S, minus >>> (h * L)));
            }
            if (i % WORDS_PER_WIDEN == WORDS_PER_WIDEN - 1) {
                acc32 = acc32.add(acc.convert(VectorOperators.S2I, 0)).add(acc.convert(VectorOperators.S2I, 1));
                acc = ShortVector.zero(S);
            }
        }
        return acc32.add(acc.convert(VectorOperators.S2I, 0)).add(acc.convert(VectorOperators.S2I, 1))
                .reduceLanes(VectorOperators.ADD);
    }
}
