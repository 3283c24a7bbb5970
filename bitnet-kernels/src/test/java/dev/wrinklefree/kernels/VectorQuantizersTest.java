package dev.wrinklefree.kernels;

import dev.wrinklefree.kernels.vector.VectorKernelProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vectorized quantizers against the scalar reference, bit for bit: random rows at many magnitudes and
 * the inputs where rounding and tie rules show (halves, equal magnitudes of opposite sign, zero blocks,
 * extreme and non-finite values). Runs once per forced vector width, like the kernel contract test.
 */
class VectorQuantizersTest {
    private static final int QK = QuantizedActivations.QK_K;

    @BeforeAll
    static void vectorUsable() {
        var why = new VectorKernelProvider().unavailableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> why.orElse(""));
    }

    @Test
    void quantizeUsesTheVectorizedCodeWhereTheVectorApiIsUsable() {
        assertTrue(ActivationQuantizers.VECTORIZED, "-D" + ActivationQuantizers.VECTOR_PROPERTY + " is not false here");
    }

    @Test
    void q8kEqualsTheReferenceBitForBit() {
        for (float[] row : rows(QK * 6)) {
            int n = row.length;
            int blocks = n / QK;
            byte[] q1 = new byte[n];
            byte[] q2 = new byte[n];
            float[] d1 = new float[blocks];
            float[] d2 = new float[blocks];
            int[] s1 = new int[blocks];
            int[] s2 = new int[blocks];
            short[] b1 = new short[n / 16];
            short[] b2 = new short[n / 16];
            ActivationQuantizers.quantizeQ8KScalar(row, 0, n, q1, 0, d1, 0, s1, b1, 0);
            VectorQuantizers.quantizeQ8K(row, 0, n, q2, 0, d2, 0, s2, b2, 0);
            String what = describe(row);
            assertArrayEquals(q1, q2, what);
            assertArrayEquals(bits(d1), bits(d2), what);
            assertArrayEquals(s1, s2, what);
            assertArrayEquals(b1, b2, what);
        }
    }

    @Test
    void i8sEqualsTheReferenceBitForBit() {
        for (float[] row : rows(QK * 6)) {
            for (int n : new int[] {128, 640, row.length}) {
                byte[] q1 = new byte[n];
                byte[] q2 = new byte[n];
                float[] sc1 = {7f, 0f};
                float[] sc2 = {7f, 0f};
                int[] sum1 = {3, 0};
                int[] sum2 = {3, 0};
                ActivationQuantizers.quantizeI8SScalar(row, row.length - n, n, q1, 0, sc1, sum1, 1);
                VectorQuantizers.quantizeI8S(row, row.length - n, n, q2, 0, sc2, sum2, 1);
                String what = describe(row) + ", last " + n;
                assertArrayEquals(q1, q2, what);
                assertArrayEquals(bits(sc1), bits(sc2), what);
                assertArrayEquals(sum1, sum2, what);
            }
        }
    }

    /** Offsets into the middle of larger arrays and several rows, through the public API. */
    @Test
    void batchesAtOffsetsMatchTheReferenceRowByRow() {
        SplittableRandom rnd = new SplittableRandom(4);
        int k = 768;
        int n = 3;
        float[] x = new float[5 + n * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * 3;
        }
        for (ActivationFormat f : ActivationFormat.values()) {
            QuantizedActivations a = QuantizedActivations.allocate(f, k, 4).quantize(x, 5, n);
            for (int r = 0; r < n; r++) {
                byte[] q = new byte[k];
                if (f == ActivationFormat.Q8_K) {
                    float[] d = new float[k / QK];
                    int[] s = new int[k / QK];
                    short[] b = new short[k / 16];
                    ActivationQuantizers.quantizeQ8KScalar(x, 5 + r * k, k, q, 0, d, 0, s, b, 0);
                    for (int j = 0; j < k / QK; j++) {
                        assertEquals(Float.floatToRawIntBits(d[j]), Float.floatToRawIntBits(a.scales()[r * (k / QK) + j]));
                        assertEquals(s[j], a.sums()[r * (k / QK) + j]);
                    }
                    for (int j = 0; j < k / 16; j++) {
                        assertEquals(b[j], a.bsums()[r * (k / 16) + j]);
                    }
                } else {
                    float[] s = new float[1];
                    int[] sum = new int[1];
                    ActivationQuantizers.quantizeI8SScalar(x, 5 + r * k, k, q, 0, s, sum, 0);
                    assertEquals(Float.floatToRawIntBits(s[0]), Float.floatToRawIntBits(a.scales()[r]));
                    assertEquals(sum[0], a.sums()[r]);
                }
                for (int j = 0; j < k; j++) {
                    assertEquals(q[j], a.quants()[r * k + j], f + " row " + r + " element " + j);
                }
            }
        }
    }

    /** Rows of {@code n} floats (6 Q8_K blocks), each block one case. */
    private static List<float[]> rows(int n) {
        List<float[]> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        for (double scale : new double[] {1e-30, 1e-6, 1e-3, 0.5, 1, 3, 127, 1e4, 1e30, 3e38}) {
            for (int rep = 0; rep < 3; rep++) {
                float[] r = new float[n];
                for (int i = 0; i < n; i++) {
                    r[i] = (float) (rnd.nextGaussian() * scale);
                }
                out.add(r);
            }
        }
        // Halves: a block whose largest magnitude is 127 has iscale -1 (Q8_K) and, alone in a row, scale 1
        // (I8_S), so every x.5 is a tie that must round to even.
        float[] ties = new float[n];
        for (int i = 0; i < n; i++) {
            ties[i] = (i % 2 == 0 ? 1 : -1) * ((i % 254) / 2 + 0.5f);
        }
        for (int b = 0; b < n / QK; b++) {
            ties[b * QK + 7 * b + 1] = b % 2 == 0 ? 127f : -127f;
        }
        out.add(ties);
        // Largest magnitude twice with opposite signs: the first one's sign counts, at every lane position.
        for (int pos = 0; pos < 20; pos++) {
            float[] r = new float[n];
            for (int i = 0; i < n; i++) {
                r[i] = (float) rnd.nextGaussian();
            }
            for (int b = 0; b < n / QK; b++) {
                int first = b * QK + (pos * 13 + b * 37) % 200;
                r[first] = b % 2 == 0 ? -9.75f : 9.75f;
                r[first + 1 + (pos + b) % 50] = -r[first];
            }
            out.add(r);
        }
        // Zero blocks (+0 and -0), a block with one non-zero value, blocks of tiny, huge and non-finite values.
        float[] special = new float[n];
        for (int i = 0; i < QK; i++) {
            special[QK + i] = -0f;
            special[3 * QK + i] = Float.MIN_VALUE * (i % 3);
            special[4 * QK + i] = i % 2 == 0 ? Float.MAX_VALUE : -Float.MAX_VALUE / (i + 1);
            special[5 * QK + i] = i == 77 ? Float.POSITIVE_INFINITY : i * 0.25f;
        }
        special[2 * QK + 200] = -1e-3f;
        out.add(special);
        float[] nan = new float[n];
        for (int i = 0; i < n; i++) {
            nan[i] = (float) rnd.nextGaussian();
        }
        nan[QK + 5] = Float.NaN;
        out.add(nan);
        float[] allZero = new float[n];
        out.add(allZero);
        float[] subnormalMax = new float[n];
        for (int i = 0; i < n; i++) {
            subnormalMax[i] = Float.MIN_NORMAL / (1 + i % 7) * (i % 2 == 0 ? 1 : -1);
        }
        out.add(subnormalMax);
        return out;
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    private static String describe(float[] row) {
        return "row starting " + row[0] + ", " + row[1] + ", " + row[2] + " (" + row.length + " values)";
    }
}
