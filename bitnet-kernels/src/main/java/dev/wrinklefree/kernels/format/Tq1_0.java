package dev.wrinklefree.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml TQ1_0: 256 weights in 54 bytes, {@code qs[48]}, {@code qh[4]}, then the f16 scale {@code d}.
 * Five base-3 digits per byte (the first element most significant), stored as the fixed-point fraction
 * {@code ceil(q * 256 / 243)} so that digit {@code n} is {@code ((uint8)(q * 3^n) * 3) >> 8}.
 * {@code qs[0..31]}: byte m holds elements {@code m + 32n}; {@code qs[32..47]}: {@code 160 + m + 16n};
 * {@code qh[0..3]}: {@code 240 + j + 4n} for n = 0..3, shifted up by one digit.
 */
public final class Tq1_0 {
    static final int QK = 256;
    static final int BLOCK_BYTES = 54;
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    private Tq1_0() {
    }

    /** ggml {@code quantize_row_tq1_0_ref}. {@code n} is a multiple of 256. */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        for (int b = 0; b < n / QK; b++) {
            int base = xOff + b * QK;
            int o = outOff + b * BLOCK_BYTES;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float id = amax != 0 ? 1.0f / amax : 0.0f;
            for (int m = 0; m < 32; m++) {
                int q = 0;
                for (int d = 0; d < 5; d++) {
                    q = q * 3 + Ternary.lroundf(x[base + m + 32 * d] * id) + 1;
                }
                out[o + m] = fraction(q);
            }
            for (int m = 0; m < 16; m++) {
                int q = 0;
                for (int d = 0; d < 5; d++) {
                    q = q * 3 + Ternary.lroundf(x[base + 160 + m + 16 * d] * id) + 1;
                }
                out[o + 32 + m] = fraction(q);
            }
            for (int j = 0; j < 4; j++) {
                int q = 0;
                for (int d = 0; d < 4; d++) {
                    q = q * 3 + Ternary.lroundf(x[base + 240 + j + 4 * d] * id) + 1;
                }
                out[o + 48 + j] = fraction(q * 3);
            }
            Fp16.put(out, o + 52, Fp16.fromFloat(amax));
        }
    }

    private static byte fraction(int q) {
        // ggml computes this in uint8 arithmetic: q < 243, so (q*256 + 242)/243 < 256.
        return (byte) ((q * 256 + 242) / 243);
    }

    private static int digit(int packed, int n) {
        int q = (packed * POW3[n]) & 0xFF;
        return (q * 3) >> 8;
    }

    /** Writes the codes (0, 1, 2) of {@code n} weights starting at byte {@code off}. */
    public static void decodeCodes(MemorySegment data, long off, int n, byte[] codes, int codesOff) {
        for (int b = 0; b < n / QK; b++) {
            long o = off + (long) b * BLOCK_BYTES;
            int c = codesOff + b * QK;
            for (int m = 0; m < 32; m++) {
                int v = data.get(ValueLayout.JAVA_BYTE, o + m) & 0xFF;
                for (int d = 0; d < 5; d++) {
                    codes[c + m + 32 * d] = (byte) digit(v, d);
                }
            }
            for (int m = 0; m < 16; m++) {
                int v = data.get(ValueLayout.JAVA_BYTE, o + 32 + m) & 0xFF;
                for (int d = 0; d < 5; d++) {
                    codes[c + 160 + m + 16 * d] = (byte) digit(v, d);
                }
            }
            for (int j = 0; j < 4; j++) {
                int v = data.get(ValueLayout.JAVA_BYTE, o + 48 + j) & 0xFF;
                for (int d = 0; d < 4; d++) {
                    codes[c + 240 + j + 4 * d] = (byte) digit(v, d);
                }
            }
        }
    }

    /** The f32 value of block {@code b}'s scale. */
    public static float blockScale(MemorySegment data, long rowOff, int b) {
        return Fp16.toFloat(data.get(Fp16.LAYOUT, rowOff + (long) b * BLOCK_BYTES + 52));
    }
}
