package dev.wrinklefree.kernels.format;

import dev.wrinklefree.kernels.KernelFixtures;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token-table layout decodes back to the weights at every entry size, and refuses what it cannot hold. */
class TokenTablesTest {
    @ParameterizedTest
    @EnumSource(TernaryFormat.class)
    void roundTripsAtEveryEntrySize(TernaryFormat f) {
        SplittableRandom rnd = new SplittableRandom(f.ordinal());
        int m = 11;
        int k = f == TernaryFormat.I2_S ? 384 : 512;
        float[] wf = KernelFixtures.gaussian(rnd, m * k, 1);
        TernaryMatrix w = TernaryCodec.pack(f, f == TernaryFormat.I2_S ? Absmean.ternarize(wf).dequantize() : wf, m, k);
        byte[] expected = new byte[k];
        byte[] actual = new byte[k];
        for (int entryBytes : new int[] {16, 32, 64}) {
            TokenTables.Packed p = TokenTables.pack(w, entryBytes, Arena.ofAuto());
            assertEquals((long) m * k / 2, p.index().byteSize(), "4 bits per weight");
            for (int r = 0; r < m; r++) {
                TernaryCodec.decodeRowCodes(w, r, expected);
                p.decodeRowCodes(r, actual);
                assertArrayEquals(expected, actual, f + " entry " + entryBytes + " row " + r);
            }
            // every offset lands on an entry of its own pass's table g: [g * 81, g * 81 + 81) entries
            for (int pass = 0; pass < p.passes(); pass++) {
                for (int r = 0; r < m; r++) {
                    for (int g = 0; g < TokenTables.GROUPS; g++) {
                        long v = p.index().get(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN),
                                p.indexOffset(pass, r) + 8L * (g / 4));
                        int off = (int) (v >>> (16 * (g % 4))) & 0xFFFF;
                        assertEquals(0, off % entryBytes);
                        int entry = off / entryBytes - g * TokenTables.ENTRIES;
                        assertTrue(entry >= 0 && entry < TokenTables.ENTRIES, "entry " + entry);
                    }
                }
            }
        }
    }

    @Test
    void codeThreeAndBadEntrySizesAreRefused() {
        SplittableRandom rnd = new SplittableRandom(3);
        int m = 4;
        int k = 256;
        TernaryMatrix ok = KernelFixtures.unitScaled(TernaryFormat.TQ2_0, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
        byte[] bytes = new byte[(int) TernaryFormat.TQ2_0.tensorBytes(m, k)];
        ok.data().asByteBuffer().get(bytes);
        bytes[(int) ok.rowBytes() * 2 + 5] |= 0x03;  // one weight of row 2 becomes code 3
        TernaryMatrix w = TernaryMatrix.of(TernaryFormat.TQ2_0, m, k, bytes);
        String msg = assertThrows(IllegalArgumentException.class, () -> TokenTables.pack(w, 64, Arena.ofAuto())).getMessage();
        assertTrue(msg.contains("row 2") && msg.contains("code 3"), msg);
        for (int bad : new int[] {0, 1, 3, 128}) {
            String why = assertThrows(IllegalArgumentException.class, () -> TokenTables.pack(ok, bad, Arena.ofAuto())).getMessage();
            assertTrue(why.contains(String.valueOf(bad)), why);
        }
    }
}
