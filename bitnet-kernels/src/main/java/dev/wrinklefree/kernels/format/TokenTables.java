package dev.wrinklefree.kernels.format;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The weight layout of the token-lane table kernels ({@code vector:tlut} in Java, the batch path of
 * {@code native:lut} in C): weights as byte offsets into per-pass tables of 4-weight dot products.
 *
 * <p>K goes in passes of {@value #PASS} weights, {@value #GROUPS} groups of {@value #GROUP} consecutive weights
 * each. A group's weights {@code w0..w3} have the index {@code e = 27 c0 + 9 c1 + 3 c2 + c3} ({@code c = w + 1}),
 * the entry of the pass's table {@code g} that holds their dot product with the activations; the layout stores its
 * byte offset {@code (g * 81 + e) * entryBytes} as a 16-bit value. Per pass and row, the 8 offsets fill two
 * little-endian longs (group {@code 4h + f} in bits {@code 16f} of long {@code h}), stored {@code [pass][row][h]}:
 * 4 bits per weight. TQ block scales are kept as floats {@code [block][row]}.
 */
public final class TokenTables {
    /** Weights per table. */
    public static final int GROUP = 4;
    /** Entries per table: 3^4. */
    public static final int ENTRIES = 81;
    /** Tables per pass. */
    public static final int GROUPS = 8;
    /** Weights per pass; K of every format is a multiple of it. */
    public static final int PASS = GROUP * GROUPS;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * A matrix in this layout, off-heap.
     *
     * @param matrix     the standard matrix it came from
     * @param entryBytes bytes per table entry the offsets assume (2 per token lane: 64 at 512 bits)
     * @param index      {@code passes * M * 2} longs of offsets
     * @param scales     TQ: {@code K/256 * M} block scales, {@code [block][row]}; I2_S: empty
     */
    public record Packed(TernaryMatrix matrix, int entryBytes, MemorySegment index, MemorySegment scales) {
        /** Passes over K. */
        public int passes() {
            return matrix.cols() / PASS;
        }

        /** Bytes of the layout. */
        public long bytes() {
            return index.byteSize() + scales.byteSize();
        }

        /** Byte offset in {@link #index} of the two longs of row {@code row} in pass {@code pass}. */
        public long indexOffset(int pass, int row) {
            return ((long) pass * matrix.rows() + row) * 16;
        }

        /** The block scale of row {@code row}, block {@code block} (TQ). */
        public float blockScale(int row, int block) {
            return scales.get(FLOAT, ((long) block * matrix.rows() + row) * 4);
        }

        /** Decodes row {@code row} back to codes (0, 1, 2): the round trip of the packing. */
        public void decodeRowCodes(int row, byte[] codes) {
            for (int p = 0; p < passes(); p++) {
                for (int j = 0; j < GROUPS; j++) {
                    long v = index.get(LONG, indexOffset(p, row) + 8L * (j / 4));
                    int e = (int) (v >>> (16 * (j % 4))) & 0xFFFF;
                    e = e / entryBytes - j * ENTRIES;
                    for (int i = GROUP - 1; i >= 0; i--, e /= 3) {
                        codes[p * PASS + j * GROUP + i] = (byte) (e % 3);
                    }
                }
            }
        }
    }

    private TokenTables() {
    }

    /**
     * Packs {@code w} (about 10 ns per weight here).
     *
     * @param entryBytes bytes per table entry, 2 to 64 and a power of two (8 groups of 81 entries stay below 65536)
     * @param arena      owns the layout's memory
     * @throws IllegalArgumentException for a bad {@code entryBytes}, or a matrix holding code 3 (a weight of +2,
     *                                  which no index expresses; the standard quantizers never write it)
     */
    public static Packed pack(TernaryMatrix w, int entryBytes, Arena arena) {
        if (entryBytes < 2 || entryBytes > 64 || Integer.bitCount(entryBytes) != 1) {
            throw new IllegalArgumentException("entryBytes must be a power of two in [2, 64], got " + entryBytes);
        }
        TernaryCodec.requireTernaryCodes(w, "the token-table layout");
        int m = w.rows();
        int k = w.cols();
        int passes = k / PASS;
        boolean tq = w.format() != TernaryFormat.I2_S;
        int blocks = tq ? k / 256 : 0;
        MemorySegment index = arena.allocate((long) passes * m * 16, 64);
        MemorySegment scales = arena.allocate((long) blocks * m * 4, 64);
        byte[] codes = new byte[k];
        for (int r = 0; r < m; r++) {
            TernaryCodec.decodeRowCodes(w, r, codes);
            for (int p = 0; p < passes; p++) {
                for (int h = 0; h < 2; h++) {
                    long v = 0;
                    for (int f = 0; f < 4; f++) {
                        int j = 4 * h + f;
                        int c = p * PASS + j * GROUP;
                        int c0 = codes[c];
                        int c1 = codes[c + 1];
                        int c2 = codes[c + 2];
                        int c3 = codes[c + 3];
                        int e = 27 * c0 + 9 * c1 + 3 * c2 + c3;
                        v |= (long) ((j * ENTRIES + e) * entryBytes) << (16 * f);
                    }
                    index.set(LONG, ((long) p * m + r) * 16 + 8L * h, v);
                }
            }
            for (int b = 0; b < blocks; b++) {
                scales.set(FLOAT, ((long) b * m + r) * 4, TernaryCodec.blockScale(w, r, b));
            }
        }
        return new Packed(w, entryBytes, index.asReadOnly(), scales.asReadOnly());
    }
}
