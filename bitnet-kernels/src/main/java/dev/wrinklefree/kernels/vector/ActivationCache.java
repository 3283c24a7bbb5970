package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.QuantizedActivations;

/**
 * Per-thread copies of activations rearranged into a kernel's own layout (widened to 16 bits, permuted
 * to match the packed weights, or expanded into lookup tables).
 *
 * <p>Activations are shared by every output row, so rearranging them once per call costs {@code N*K}
 * against the kernel's {@code M*N*K}. A copy is keyed on the activations object, its
 * {@link QuantizedActivations#version()} and the layout, so the matmuls that read the same input (q, k, v;
 * gate, up) reuse it. Buffers only grow: after warm-up no call allocates.
 *
 * <p>One instance per thread ({@link #get()}); every thread of a multi-threaded matmul builds its own copy.
 */
final class ActivationCache {
    /** How activations are rearranged; implementations are singletons compared by identity. */
    interface Layout {
        /** Shorts one activation row of length {@code cols} takes in this layout. */
        int shortsPerRow(int cols);

        /** Shorts {@code rows} activation rows of length {@code cols} take (more than rows times a row if padded). */
        default int shorts(int cols, int rows) {
            return Math.multiplyExact(shortsPerRow(cols), rows);
        }

        /** Writes rows {@code 0..x.rows()-1} of {@code x} into {@code out} ({@link #shorts} in all). */
        void fill(QuantizedActivations x, short[] out);
    }

    private static final int ENTRIES = 4;
    private static final ThreadLocal<ActivationCache> LOCAL = ThreadLocal.withInitial(ActivationCache::new);

    private final QuantizedActivations[] sources = new QuantizedActivations[ENTRIES];
    private final long[] versions = new long[ENTRIES];
    private final int[] rows = new int[ENTRIES];
    private final Layout[] layouts = new Layout[ENTRIES];
    private final short[][] data = new short[ENTRIES][];
    private int victim;
    private int[] ints = new int[0];
    private byte[] bytes = new byte[0];

    private ActivationCache() {
    }

    /** This thread's cache. */
    static ActivationCache get() {
        return LOCAL.get();
    }

    /** A scratch int array of at least {@code n} elements, this thread's own (contents undefined). */
    int[] ints(int n) {
        if (ints.length < n) {
            ints = new int[n];
        }
        return ints;
    }

    /** A scratch byte array of at least {@code n} elements, this thread's own (contents undefined). */
    byte[] bytes(int n) {
        if (bytes.length < n) {
            bytes = new byte[n];
        }
        return bytes;
    }

    /**
     * Activations {@code x} in {@code layout}: row {@code n} starts at {@code n * layout.shortsPerRow(K)}.
     * The array may be longer than needed and is valid until this thread's next call with another key.
     */
    short[] activations(QuantizedActivations x, Layout layout) {
        long version = x.version();
        int n = x.rows();
        for (int i = 0; i < ENTRIES; i++) {
            if (sources[i] == x && versions[i] == version && rows[i] == n && layouts[i] == layout) {
                return data[i];
            }
        }
        // A new version of activations already cached makes the old copy dead: overwrite it rather than the
        // round-robin victim, so that a stream of versions of one input (a decode loop) keeps reusing one
        // buffer. That keeps the thread's cache footprint small: 4 rotating K=2560 LUT tables take 220 KB
        // of a 1 MB L2 that the weights need.
        int i = -1;
        for (int j = 0; j < ENTRIES; j++) {
            if (sources[j] == x && layouts[j] == layout) {
                i = j;
                break;
            }
        }
        if (i < 0) {
            i = victim;
            victim = (victim + 1) % ENTRIES;
        }
        int need = layout.shorts(x.cols(), n);
        if (data[i] == null || data[i].length < need) {
            data[i] = new short[need];
        }
        sources[i] = null; // a fill that throws leaves no stale key behind
        layout.fill(x, data[i]);
        sources[i] = x;
        versions[i] = version;
        rows[i] = n;
        layouts[i] = layout;
        return data[i];
    }
}
