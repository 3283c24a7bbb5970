package dev.wrinklefree.kernels.format;

import dev.wrinklefree.kernels.KernelFixtures;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryMatrix;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeThreeTest {
    private static TernaryMatrix withByte(TernaryMatrix clean, long at, int value) {
        byte[] data = clean.data().toArray(ValueLayout.JAVA_BYTE);
        data[(int) at] = (byte) value;
        return TernaryMatrix.of(clean.format(), clean.rows(), clean.cols(), data);
    }

    @Test
    void cleanMatricesHoldNoCodeThreeWhateverTheirScaleBytes() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (TernaryFormat f : TernaryFormat.values()) {
            int k = 512;
            // unit scales: TQ2_0's fp16 1.0 is 0x3C00, whose high byte has two set bits side by side
            TernaryMatrix w = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, 9 * k, 20), 9, k);
            assertEquals(-1, TernaryCodec.firstRowWithCodeThree(w), f.toString());
            TernaryCodec.requireTernaryCodes(w, "test layout");
        }
    }

    @Test
    void findsTheFirstRowWithCodeThreeAnywhereInItsCodes() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ2_0, TernaryFormat.I2_S}) {
            int k = 512;
            int m = 9;
            TernaryMatrix clean = KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 20), m, k);
            long rowBytes = clean.rowBytes();
            // the row's last code byte: TQ2_0's second block ends with 2 scale bytes
            long last = f == TernaryFormat.TQ2_0 ? rowBytes - 3 : rowBytes - 1;
            for (long inRow : new long[] {0, last}) {
                for (int shift = 0; shift < 8; shift += 2) {
                    TernaryMatrix w = withByte(clean, 6 * rowBytes + inRow, 3 << shift);
                    assertEquals(6, TernaryCodec.firstRowWithCodeThree(w), f + " byte " + inRow + " shift " + shift);
                }
            }
            // two bits set in neighbouring fields (codes 2 and 1, 1 and 2...) are not code 3
            assertEquals(-1, TernaryCodec.firstRowWithCodeThree(withByte(clean, 6 * rowBytes, 0b1010_0110)), f.toString());
            TernaryMatrix w = withByte(clean, 4 * rowBytes + 1, 0xFF);
            String msg = assertThrows(IllegalArgumentException.class, () -> TernaryCodec.requireTernaryCodes(w, "the test layout"))
                    .getMessage();
            assertTrue(msg.contains("row 4") && msg.contains("code 3") && msg.contains("the test layout"), msg);
        }
    }
}
