package dev.wrinklefree.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * bitnet.cpp I2_S: the tensor is one stream of 128-weight blocks of 32 bytes; byte {@code j} of a block
 * holds elements {@code j, j+32, j+64, j+96} at bits 7-6, 5-4, 3-2, 1-0 (codes {@code w+1}). After the
 * {@code M*K/4} code bytes comes a 32-byte tail whose first 4 bytes are the f32 tensor scale; readers
 * ignore the other 28 (llama-quantize can leave stale bytes there).
 */
public final class I2s {
    static final int QK = 128;
    static final int BLOCK_BYTES = 32;
    static final int TAIL_BYTES = 32;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private I2s() {
    }

    /**
     * bitnet.cpp {@code quantize_i2_s}: {@code scale = max|w|} over the tensor (in double, stored as f32);
     * code 1 where {@code |w| < 1e-6}, else 2 for positive and 0 for negative weights, whatever their
     * magnitude (the input must already be ternary).
     *
     * @param n weights, a multiple of 128
     * @param out {@code n/4 + 32} bytes from {@code outOff}; tail bytes 4..31 are zeroed
     */
    public static void quantize(float[] w, int wOff, int n, byte[] out, int outOff) {
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs((double) w[wOff + i]));
        }
        for (int b = 0; b < n / QK; b++) {
            for (int j = 0; j < 32; j++) {
                int v = 0;
                for (int g = 0; g < 4; g++) {
                    v |= code(w[wOff + b * QK + g * 32 + j]) << (6 - 2 * g);
                }
                out[outOff + b * BLOCK_BYTES + j] = (byte) v;
            }
        }
        int tail = outOff + n / 4;
        for (int i = 0; i < TAIL_BYTES; i++) {
            out[tail + i] = 0;
        }
        MemorySegment.ofArray(out).set(F32, tail, (float) max);
    }

    private static int code(float w) {
        if (Math.abs(w) < 1e-6) {
            return 1;
        }
        return w > 0 ? 2 : 0;
    }

    /** Writes the codes (0, 1, 2) of {@code n} weights starting at byte {@code off} (a block boundary). */
    public static void decodeCodes(MemorySegment data, long off, int n, byte[] codes, int codesOff) {
        for (int b = 0; b < n / QK; b++) {
            for (int j = 0; j < 32; j++) {
                int v = data.get(ValueLayout.JAVA_BYTE, off + (long) b * BLOCK_BYTES + j) & 0xFF;
                for (int g = 0; g < 4; g++) {
                    codes[codesOff + b * QK + g * 32 + j] = (byte) ((v >> (6 - 2 * g)) & 3);
                }
            }
        }
    }

    /** The f32 scale stored in the tail of a {@code rows x cols} tensor. */
    public static float scale(MemorySegment data, long rows, long cols) {
        return data.get(F32, rows * cols / 4);
    }
}
