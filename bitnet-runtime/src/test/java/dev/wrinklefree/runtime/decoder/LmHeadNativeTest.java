package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.ffm.NativeDense;
import dev.wrinklefree.kernels.format.Fp16;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.DenseMatrix;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native LM head against the Java one on the same input: the same preparation (F16 rounding, Q8_0
 * quantization) and integers, so logits agree within float rounding of the reordered sums.
 */
class LmHeadNativeTest {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static void requireNative() {
        assumeTrue(NativeDense.unavailableReason().isEmpty(), () -> "native dense GEMV unavailable: "
                + NativeDense.unavailableReason().orElse(""));
    }

    private static DenseMatrix randomHead(GgmlType type, int rows, int cols, SplittableRandom rnd) {
        long rowBytes = type == GgmlType.F16 ? 2L * cols : cols / 32 * 34L;
        MemorySegment m = MemorySegment.ofArray(new byte[(int) (rows * rowBytes)]);
        for (int r = 0; r < rows; r++) {
            if (type == GgmlType.F16) {
                for (int i = 0; i < cols; i++) {
                    m.set(U16, r * rowBytes + 2L * i, Fp16.fromFloat((float) (rnd.nextGaussian() * 0.05)));
                }
            } else {
                for (int b = 0; b < cols / 32; b++) {
                    long o = r * rowBytes + 34L * b;
                    m.set(U16, o, Fp16.fromFloat((float) (0.0005 + rnd.nextDouble() * 0.001)));
                    for (int j = 0; j < 32; j++) {
                        m.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (rnd.nextInt(255) - 127));
                    }
                }
            }
        }
        return DenseMatrix.of(type, rows, cols, m);
    }

    @Test
    void nativeHeadMatchesTheJavaHead() {
        requireNative();
        SplittableRandom rnd = new SplittableRandom(21);
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0}) {
            int rows = 3001;
            int cols = 1536;
            DenseMatrix w = randomHead(type, rows, cols, rnd);
            LmHead java = new LmHead(w, false);
            LmHead nat = new LmHead(w, true);
            assertTrue(nat.isNative());
            float[] x = new float[cols + 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * (1 + i % 3));
            }
            java.prepare(x, 5);
            nat.prepare(x, 5);
            float[] a = new float[rows];
            float[] b = new float[rows];
            java.compute(a, 0, rows);
            // in two row ranges, as the decoder's threads take them
            nat.compute(b, 0, 1234);
            nat.compute(b, 1234, rows);
            double worst = 0;
            double scale = 0;
            for (int r = 0; r < rows; r++) {
                worst = Math.max(worst, Math.abs(a[r] - b[r]));
                scale = Math.max(scale, Math.abs(a[r]));
            }
            // both sum ~1500 float products in different orders: differences of a few ulps of the largest logit
            assertTrue(worst <= 1e-5 * scale, type + ": max |native - java| " + worst + " against max |logit| " + scale);
            assertTrue(scale > 0, "non-trivial logits");
        }
    }

    @Test
    void onlyNativeKernelsAndSupportedTypesGetTheNativeHead() {
        assertFalse(LmHead.nativeRuns(Kernels.byName("scalar"), GgmlType.F16));
        DenseMatrix f32 = DenseMatrix.of(GgmlType.F32, 2, 32, MemorySegment.ofArray(new byte[2 * 32 * 4]));
        assertThrows(IllegalArgumentException.class, () -> new LmHead(f32, true));
        requireNative();
        String old = System.getProperty(LmHead.NATIVE_PROPERTY);
        try {
            System.clearProperty(LmHead.NATIVE_PROPERTY);
            assertTrue(LmHead.nativeRuns(Kernels.byName("native"), GgmlType.Q8_0));
            assertFalse(LmHead.nativeRuns(Kernels.byName("native"), GgmlType.Q6_K));
            System.setProperty(LmHead.NATIVE_PROPERTY, "false");
            assertFalse(LmHead.nativeRuns(Kernels.byName("native"), GgmlType.F16));
        } finally {
            if (old == null) {
                System.clearProperty(LmHead.NATIVE_PROPERTY);
            } else {
                System.setProperty(LmHead.NATIVE_PROPERTY, old);
            }
        }
    }
}
