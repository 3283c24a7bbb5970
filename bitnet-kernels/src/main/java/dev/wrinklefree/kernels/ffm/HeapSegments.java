package dev.wrinklefree.kernels.ffm;

import java.lang.foreign.MemorySegment;

/**
 * Per-thread cache of heap segments ({@link MemorySegment#ofArray}) for the arrays passed to downcalls, keyed by
 * array identity.
 *
 * <p>Why: a heap segment made per call is removed by C2's escape analysis only when the downcall stub is inlined
 * and the segment does not flow through a loop or a merge; whether that happens depends on compilation timing.
 * Measured with {@code -prof gc} on 2560x2560 GEMVs: the same code allocated 0.3 B per call in one JVM and 72 (batch
 * 1) to 2,190 (batch 128) in another. The arrays a decoder passes (activation buffers, output rows, tables) are
 * the same few objects call after call, so a small identity cache makes the steady state allocation-free
 * whatever C2 decides.
 *
 * <p>The cache keeps strong references to at most {@value #SLOTS} arrays per thread that called a native kernel;
 * a replaced entry is released on the next miss of that slot.
 */
final class HeapSegments {
    static final int SLOTS = 16;
    private static final ThreadLocal<HeapSegments> LOCAL = ThreadLocal.withInitial(HeapSegments::new);

    private final Object[] arrays = new Object[SLOTS];
    private final MemorySegment[] segments = new MemorySegment[SLOTS];
    private int victim;

    private HeapSegments() {
    }

    static MemorySegment of(float[] a) {
        return LOCAL.get().lookup(a);
    }

    static MemorySegment of(int[] a) {
        return LOCAL.get().lookup(a);
    }

    static MemorySegment of(short[] a) {
        return LOCAL.get().lookup(a);
    }

    static MemorySegment of(byte[] a) {
        return LOCAL.get().lookup(a);
    }

    private MemorySegment lookup(Object a) {
        for (int i = 0; i < SLOTS; i++) {
            if (arrays[i] == a) {
                return segments[i];
            }
        }
        MemorySegment s = switch (a) {
            case float[] f -> MemorySegment.ofArray(f);
            case int[] n -> MemorySegment.ofArray(n);
            case short[] h -> MemorySegment.ofArray(h);
            case byte[] b -> MemorySegment.ofArray(b);
            default -> throw new IllegalArgumentException("not a primitive array: " + a.getClass());
        };
        int i = victim;
        victim = (victim + 1) % SLOTS;
        arrays[i] = a;
        segments[i] = s;
        return s;
    }
}
