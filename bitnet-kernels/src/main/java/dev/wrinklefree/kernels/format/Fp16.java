package dev.wrinklefree.kernels.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** IEEE 754 half precision, as ggml stores block scales (little-endian, round to nearest even). */
public final class Fp16 {
    /** Unaligned little-endian 16-bit layout for reading halves out of packed blocks. */
    public static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Fp16() {
    }

    /** Rounds a float to the nearest half (ties to even), as {@code GGML_FP32_TO_FP16} does. */
    public static short fromFloat(float f) {
        return Float.floatToFloat16(f);
    }

    /** Exact float value of a half. */
    public static float toFloat(short h) {
        return Float.float16ToFloat(h);
    }

    static void put(byte[] out, int off, short h) {
        out[off] = (byte) h;
        out[off + 1] = (byte) (h >>> 8);
    }

    /** Reads a little-endian half at byte {@code off}. */
    public static float get(MemorySegment seg, long off) {
        return toFloat(seg.get(LAYOUT, off));
    }
}
