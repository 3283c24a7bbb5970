package dev.wrinklefree.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedActivationsTest {
    @Test
    void copyRowsCopiesQuantsScalesAndSumsOfEachFormat() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (ActivationFormat f : ActivationFormat.values()) {
            int k = 512;
            float[] x = KernelFixtures.gaussian(rnd, 7 * k, 1.0);
            QuantizedActivations src = QuantizedActivations.allocate(f, k, 7).quantize(x, 0, 7);
            QuantizedActivations one = QuantizedActivations.allocate(f, k, 3).quantize(x, 4 * k, 3);
            QuantizedActivations copy = QuantizedActivations.allocate(f, k, 3);
            long before = copy.version();
            copy.copyRows(src, 4, 3);
            assertEquals(3, copy.rows());
            assertTrue(copy.version() > before, "a copy is a change");
            assertArrayEquals(one.quants(), copy.quants(), f + " quants");
            assertArrayEquals(one.scales(), copy.scales(), f + " scales");
            assertArrayEquals(one.sums(), copy.sums(), f + " sums");
            assertArrayEquals(one.bsums(), copy.bsums(), f + " bsums");
        }
    }

    @Test
    void copyRowsRefusesWhatDoesNotFit() {
        QuantizedActivations src = QuantizedActivations.allocate(ActivationFormat.Q8_K, 512, 4).rows(4);
        QuantizedActivations small = QuantizedActivations.allocate(ActivationFormat.Q8_K, 512, 2);
        String past = assertThrows(IllegalArgumentException.class, () -> small.copyRows(src, 3, 2)).getMessage();
        assertTrue(past.contains("[3, 5)") && past.contains("4"), past);
        String capacity = assertThrows(IllegalArgumentException.class, () -> small.copyRows(src, 0, 3)).getMessage();
        assertTrue(capacity.contains("[1, 2]") && capacity.contains("3"), capacity);
        String format = assertThrows(IllegalArgumentException.class,
                () -> QuantizedActivations.allocate(ActivationFormat.I8_S, 512, 2).copyRows(src, 0, 1)).getMessage();
        assertTrue(format.contains("Q8_K") && format.contains("I8_S"), format);
        String cols = assertThrows(IllegalArgumentException.class,
                () -> QuantizedActivations.allocate(ActivationFormat.Q8_K, 256, 2).copyRows(src, 0, 1)).getMessage();
        assertTrue(cols.contains("512") && cols.contains("256"), cols);
    }
}
