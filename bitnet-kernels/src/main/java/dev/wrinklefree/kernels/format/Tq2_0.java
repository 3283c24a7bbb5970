package dev.wrinklefree.kernels.format;

import dev.wrinklefree.kernels.TernaryFormat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml TQ2_0: 256 weights in 66 bytes, {@code qs[64]} then the f16 block scale {@code d}. Within each
 * 128-weight half (32 bytes of {@code qs}), byte {@code m} holds elements {@code m, m+32, m+64, m+96} at
 * bits 0-1, 2-3, 4-5, 6-7, codes {@code w+1}.
 */
public final class Tq2_0 {
    static final int QK = 256;
    static final int QS_BYTES = 64;
    static final int BLOCK_BYTES = 66;

    private Tq2_0() {
    }

    /**
     * ggml {@code quantize_row_tq2_0_ref}: per block {@code d = max|x|}, {@code q = lroundf(x/d) + 1}.
     *
     * @param n values to quantize, a multiple of 256
     */
    public static void quantize(float[] x, int xOff, int n, byte[] out, int outOff) {
        for (int b = 0; b < n / QK; b++) {
            int base = xOff + b * QK;
            int o = outOff + b * BLOCK_BYTES;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float id = amax != 0 ? 1.0f / amax : 0.0f;
            for (int half = 0; half < 2; half++) {
                for (int m = 0; m < 32; m++) {
                    int q = 0;
                    for (int l = 0; l < 4; l++) {
                        int xi = Ternary.lroundf(x[base + half * 128 + l * 32 + m] * id) + 1;
                        q += (xi & 3) << (2 * l);
                    }
                    out[o + half * 32 + m] = (byte) q;
                }
            }
            Fp16.put(out, o + QS_BYTES, Fp16.fromFloat(amax));
        }
    }

    /** Writes codes (0, 1, 2) of element {@code i} of each block into {@code codes[i]}. */
    public static void decodeCodes(MemorySegment data, long off, int n, byte[] codes, int codesOff) {
        for (int b = 0; b < n / QK; b++) {
            long o = off + (long) b * BLOCK_BYTES;
            for (int half = 0; half < 2; half++) {
                for (int m = 0; m < 32; m++) {
                    int v = data.get(ValueLayout.JAVA_BYTE, o + half * 32 + m) & 0xFF;
                    for (int l = 0; l < 4; l++) {
                        codes[codesOff + b * QK + half * 128 + l * 32 + m] = (byte) ((v >> (2 * l)) & 3);
                    }
                }
            }
        }
    }

    /** The f32 value of block {@code b}'s scale. */
    public static float blockScale(MemorySegment data, long rowOff, int b) {
        return Fp16.toFloat(data.get(Fp16.LAYOUT, rowOff + (long) b * BLOCK_BYTES + QS_BYTES));
    }

    /** Bytes per row of {@code k} weights. */
    static long rowBytes(int k) {
        return TernaryFormat.TQ2_0.rowBytes(k);
    }
}
