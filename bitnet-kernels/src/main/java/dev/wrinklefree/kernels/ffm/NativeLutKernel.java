package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * The native lookup-table kernels ({@code native:lut}, C sources {@code wf_lut.h}, {@code wf_lut_avx512.c}): the
 * idea of bitnet.cpp's TL kernels with AVX-512's 32-lane {@code vpermw}. {@link #prepare} repacks any of the three
 * formats into 5-bit indices of groups of 3 weights, 32 rows interleaved per 512-bit word (1.875 bits per weight
 * with TQ's f16 block scales, 1.81 for I2_S); per call, every activation row becomes tables of the 27 possible
 * dot products of each group of 3 activations, and one {@code vpermw} looks up 32 rows at once. No weight decoding
 * at run time: TQ1_0's base-3 digits cost nothing more than TQ2_0's 2-bit codes.
 *
 * <p>Results are bit-identical to the scalar oracle: the per-256-block integers are exact (16-bit lanes are
 * widened before they can overflow) and the float epilogue is the oracle's, block after block. A matrix holding
 * code 3 (a weight of +2 that no index expresses; the standard quantizers never write it) is not repacked: its
 * prepared weights read the standard bytes with the in-place kernel of the best ISA path. Like every repacking
 * kernel, {@link #matmul} takes only weights this kernel prepared.
 *
 * <p>Tables are built once per activation row set and thread, and kept until the activations change (keyed on the
 * {@link QuantizedActivations} object and its {@link QuantizedActivations#version()}, like the vector backend's
 * cache): the q, k and v projections of a decode step share one build, as do gate and up. Stateless otherwise;
 * needs AVX-512 BW ({@link NativeLibrary#lutUsable()}). Layouts live in huge-page memory where the OS offers it
 * (see {@link Slabs}).
 */
final class NativeLutKernel implements TernaryKernel {
    private static final int WF_LUT_UNREPRESENTABLE = 1;
    private static final int WF_ERR_NOMEM = -2;
    /** Weights repacked per downcall: a critical call holds off safepoints, so repacking is cut (~1 ms each). */
    static final long PACK_WEIGHTS_PER_CALL = 1L << 23;

    private final NativeKernel inPlace;
    private final int rowsPerPanel;

    /** Static finals, so the JIT inlines the downcall stubs and the per-call heap segments are scalar-replaced. */
    private static final class Downcall {
        static final MethodHandle MATMUL = NativeLibrary.loaded().lut().matmul().get();
        static final MethodHandle TABLES = NativeLibrary.loaded().lut().tables().get();
    }

    /**
     * @param inPlace the in-place kernel for matrices the layout cannot hold
     * @throws IllegalStateException if the library is not loaded or this CPU does not run the LUT kernels
     */
    NativeLutKernel(NativeKernel inPlace) {
        this.inPlace = Objects.requireNonNull(inPlace, "inPlace");
        if (!NativeLibrary.lutUsable()) {
            throw new IllegalStateException("native LUT kernels unusable: " + (NativeLibrary.isLoaded()
                    ? "they need AVX-512 BW (cpuid: " + NativeLibrary.cpuFeatures() + ")" : NativeLibrary.unavailableReason().orElse("")));
        }
        this.rowsPerPanel = NativeLibrary.loaded().lut().rowsPerPanel();
    }

    @Override
    public String name() {
        return "native:lut";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    /** Rows per panel of the layout: a row range starting elsewhere recomputes part of a panel. */
    @Override
    public int rowAlignment() {
        return rowsPerPanel;
    }

    /** Weights in the LUT layout, off-heap (freed when unreachable), beside the standard matrix they came from. */
    static final class LutWeights implements PreparedWeights {
        final TernaryMatrix matrix;
        final MemorySegment lut;

        LutWeights(TernaryMatrix matrix, MemorySegment lut) {
            this.matrix = matrix;
            this.lut = lut;
        }

        @Override
        public TernaryMatrix matrix() {
            return matrix;
        }

        /** The whole layout: the kernel reads these bytes instead of the standard ones. */
        @Override
        public long extraBytes() {
            return lut.byteSize();
        }

        @Override
        public String toString() {
            return matrix + " in the LUT layout (" + lut.byteSize() + " bytes)";
        }
    }

    /** A matrix the layout cannot hold (code 3), prepared for the in-place kernel: no extra bytes. */
    static final class InPlaceWeights implements PreparedWeights {
        final TernaryMatrix matrix;

        InPlaceWeights(TernaryMatrix matrix) {
            this.matrix = matrix;
        }

        @Override
        public TernaryMatrix matrix() {
            return matrix;
        }

        @Override
        public String toString() {
            return matrix + " (in place: holds code 3)";
        }
    }

    /**
     * Repacks the matrix into the LUT layout (about 0.15 ns per weight on one thread), or, when it holds code 3,
     * wraps it for the in-place kernel (see the class comment).
     *
     * @throws OutOfMemoryError when the layout or the repacking scratch cannot be allocated
     */
    @Override
    public PreparedWeights prepare(TernaryMatrix w) {
        NativeLibrary.Lut lib = NativeLibrary.loaded().lut();
        int format = w.format().ordinal();
        long bytes;
        try {
            bytes = (long) lib.layoutBytes().get().invokeExact(format, w.rows(), w.cols());
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
        MemorySegment lut = Slabs.carve(bytes);
        int panels = (w.rows() + rowsPerPanel - 1) / rowsPerPanel;
        int step = (int) Math.max(1, PACK_WEIGHTS_PER_CALL / ((long) rowsPerPanel * w.cols()));
        for (int p = 0; p < panels; p += step) {
            int end = Math.min(panels, p + step);
            int rc;
            try {
                rc = (int) lib.pack().get().invokeExact(format, w.data(), w.rowBytes(), w.rows(), w.cols(), p, end, lut);
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            if (rc == WF_LUT_UNREPRESENTABLE) {
                return new InPlaceWeights(w);
            }
            if (rc != 0) {
                throw NativeLibrary.rethrow(failure("wf_lut_pack", rc, w));
            }
        }
        return new LutWeights(w, lut.asReadOnly());
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        if (pw instanceof InPlaceWeights ip) {
            inPlace.matmul(ip.matrix, x, y, yOffset, rowStart, rowEnd);
            return;
        }
        if (!(pw instanceof LutWeights lw)) {
            throw new IllegalArgumentException(name() + " computes with weights it prepared itself (prepare()), got "
                    + pw.matrix() + " as " + pw.getClass().getSimpleName());
        }
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        TernaryMatrix w = lw.matrix;
        int n = x.rows();
        int k = w.cols();
        short[] tables = Tables.of(x);
        long rows = Math.max(rowsPerPanel, NativeKernel.MAX_MACS_PER_CALL / ((long) n * k));
        int step = (int) Math.min(Integer.MAX_VALUE / 2, rows / rowsPerPanel * rowsPerPanel);
        int format = w.format().ordinal();
        float[] scales = x.scales();
        int[] sums = x.sums();
        MemorySegment t = HeapSegments.of(tables);
        MemorySegment sc = HeapSegments.of(scales);
        MemorySegment su = HeapSegments.of(sums);
        MemorySegment out = HeapSegments.of(y);
        for (int r = rowStart; r < rowEnd; ) {
            // ends on a panel boundary, so the next call starts on one
            int end = (int) Math.min(rowEnd, ((long) r / rowsPerPanel * rowsPerPanel) + step);
            int rc;
            try {
                rc = (int) Downcall.MATMUL.invokeExact(format, lw.lut, w.rows(), k, w.tensorScale(),
                        t, sc, su, n, out, (long) yOffset, r, end);
            } catch (Throwable e) {
                throw NativeLibrary.rethrow(e);
            }
            if (rc != 0) {
                throw NativeLibrary.rethrow(failure("wf_lut_matmul", rc, w));
            }
            r = end;
        }
    }

    private Throwable failure(String what, int rc, TernaryMatrix w) {
        return rc == WF_ERR_NOMEM
                ? new OutOfMemoryError(name() + ": no native memory for the scratch of " + what + " on " + w)
                : new IllegalStateException(name() + ": " + what + " returned error " + rc + " for " + w);
    }

    /**
     * The memory layouts are carved from: 64 MiB slabs of huge-page memory ({@link NativeLibrary#allocateHuge}), so
     * small matrices share huge pages instead of each rounding up to 2 MiB. A slab is freed when no layout carved
     * from it is reachable (each slice keeps its slab's automatic arena alive; the pool holds the current slab
     * weakly). Layouts of a quarter slab or more get memory of their own.
     */
    private static final class Slabs {
        static final long SLAB_BYTES = 64L << 20;
        private static java.lang.ref.WeakReference<MemorySegment> current = new java.lang.ref.WeakReference<>(null);
        private static long used;

        static synchronized MemorySegment carve(long bytes) {
            long need = (bytes + 63) & ~63L;
            if (need >= SLAB_BYTES / 4) {
                return NativeLibrary.allocateHuge(bytes, Arena.ofAuto());
            }
            MemorySegment slab = current.get();
            if (slab == null || used + need > slab.byteSize()) {
                slab = NativeLibrary.allocateHuge(SLAB_BYTES, Arena.ofAuto());
                current = new java.lang.ref.WeakReference<>(slab);
                used = 0;
            }
            MemorySegment s = slab.asSlice(used, bytes);
            used += need;
            return s;
        }
    }

    /** This thread's tables of the last activations it saw (see the class comment); buffers only grow. */
    private static final class Tables {
        private static final ThreadLocal<Tables> LOCAL = ThreadLocal.withInitial(Tables::new);

        private QuantizedActivations source;
        private long version;
        private short[] data = new short[0];

        static short[] of(QuantizedActivations x) {
            Tables c = LOCAL.get();
            if (c.source != x || c.version != x.version()) {
                c.build(x);
            }
            return c.data;
        }

        private void build(QuantizedActivations x) {
            NativeLibrary.Lut lib = NativeLibrary.loaded().lut();
            long perRow;
            try {
                perRow = (long) lib.tokenTableEntries().get().invokeExact(x.cols());
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            long need = perRow * x.rows();
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("LUT tables of " + x.rows() + " rows of " + x.cols()
                        + " activations exceed a Java array; use fewer rows per call");
            }
            if (data.length < need) {
                data = new short[(int) need];
            }
            source = null;  // a failed build leaves no stale match
            int rc;
            try {
                rc = (int) Downcall.TABLES.invokeExact(HeapSegments.of(x.quants()), x.rows(), x.cols(),
                        HeapSegments.of(data));
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            if (rc != 0) {
                throw new IllegalStateException("native:lut: wf_lut_tables returned error " + rc);
            }
            source = x;
            version = x.version();
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
