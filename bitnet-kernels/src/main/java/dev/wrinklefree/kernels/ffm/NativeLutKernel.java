package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.OnFirstUse;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TokenTables;

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
 * <p>In batches of {@link #TLUT_MIN_TOKENS} tokens or more, whole tiles of 32 tokens go to the token-lane table
 * kernel instead ({@code wf_tlut_avx512.c}, layout {@link TokenTables}, built on the first such call): one token
 * per 16-bit lane, tables of the 81 dot products of 4 activations, one load and add per 4 weights and 32 tokens.
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

    /** Tokens per tile of the token-lane table kernel: 16-bit lanes of a 512-bit vector. */
    static final int TLUT_TILE = 32;
    /**
     * From this many tokens on, whole tiles of {@value #TLUT_TILE} tokens run the token-lane table kernel
     * ({@code wf_tlut_avx512.c}, the C twin of {@code vector:tlut}) and the tokens left over the 32-row
     * {@code vpermw} one. A partly filled tile wastes its idle lanes, and {@code vpermw} is the faster at up to
     * about 24 tokens (2560x2560 I2_S, one thread, Zen 4: 16 tokens 210 against 124 G MAC/s, 32 tokens 200-215
     * against 231-247). System property {@code wrinklefree.native.tlutMinTokens} changes it (a large value keeps
     * {@code vpermw} at every batch, for comparisons).
     */
    static final int TLUT_MIN_TOKENS = Integer.getInteger("wrinklefree.native.tlutMinTokens", TLUT_TILE);
    /**
     * Most multiply-adds of one token-table downcall: every call builds its own tables (about 5 % of a
     * 2560-row call), so it gets twice the in-place kernels' budget, still about a millisecond at its speed.
     */
    static final long TLUT_MAX_MACS_PER_CALL = 2 * NativeKernel.MAX_MACS_PER_CALL;

    /** Tokens of a call of {@code n} that go to the token-table kernel: whole tiles, from {@link #TLUT_MIN_TOKENS} on. */
    static int tiledTokens(int n) {
        return n >= TLUT_MIN_TOKENS ? n / TLUT_TILE * TLUT_TILE : 0;
    }

    /** Static finals, so the JIT inlines the downcall stubs and the per-call heap segments are scalar-replaced. */
    private static final class Downcall {
        static final MethodHandle MATMUL = NativeLibrary.loaded().lut().matmul().get();
        static final MethodHandle TABLES = NativeLibrary.loaded().lut().tables().get();
    }

    private static final class TlutDowncall {
        static final MethodHandle MATMUL = NativeLibrary.loaded().lut().tlutMatmul().get();
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

    /**
     * Weights in the LUT layout, off-heap (freed when unreachable), beside the standard matrix they came from; and,
     * from the first batch of {@link #TLUT_MIN_TOKENS} tokens on, in the token-table layout ({@link TokenTables},
     * 4 bits per weight) too.
     */
    static final class LutWeights implements PreparedWeights {
        final TernaryMatrix matrix;
        final MemorySegment lut;
        /** The token-table layout, built on first use. */
        final OnFirstUse<TokenTables.Packed> batched;

        LutWeights(TernaryMatrix matrix, MemorySegment lut) {
            this.matrix = matrix;
            this.lut = lut;
            this.batched = new OnFirstUse<>(() -> TokenTables.pack(matrix, 64, Arena.ofAuto()));
        }

        @Override
        public TernaryMatrix matrix() {
            return matrix;
        }

        /** The LUT layout, plus the token-table layout once it has been built. */
        @Override
        public long extraBytes() {
            TokenTables.Packed b = batched.ifBuilt();
            return lut.byteSize() + (b == null ? 0 : b.bytes());
        }

        /**
         * The layouts a call of {@code tokens} tokens reads (building the token-table one if it needs it): that one
         * for whole tiles, the LUT layout for the tokens left over.
         */
        @Override
        public long bytesPerCall(int tokens) {
            int tiled = tiledTokens(tokens);
            return (tiled > 0 ? batched.get().bytes() : 0) + (tiled < tokens ? lut.byteSize() : 0);
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
        int tiled = tiledTokens(x.rows());
        for (int t0 = 0; t0 < tiled; t0 += TLUT_TILE) {
            tokenTables(lw.batched.get(), x, t0, y, yOffset, rowStart, rowEnd);
        }
        if (tiled < x.rows()) {
            vpermw(lw, x, tiled, y, yOffset, rowStart, rowEnd);
        }
    }

    /** Tokens {@code [from, x.rows())} with the {@code vpermw} kernel. */
    private void vpermw(LutWeights lw, QuantizedActivations x, int from, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryMatrix w = lw.matrix;
        int n = x.rows() - from;
        int k = w.cols();
        Tables tables = Tables.of(x, from);
        long rows = Math.max(rowsPerPanel, NativeKernel.MAX_MACS_PER_CALL / ((long) n * k));
        int step = (int) Math.min(Integer.MAX_VALUE / 2, rows / rowsPerPanel * rowsPerPanel);
        int format = w.format().ordinal();
        MemorySegment t = HeapSegments.of(tables.data);
        MemorySegment sc = tables.scales;
        MemorySegment su = tables.sums;
        MemorySegment out = HeapSegments.of(y);
        long yAt = yOffset + (long) from * w.rows();
        for (int r = rowStart; r < rowEnd; ) {
            // ends on a panel boundary, so the next call starts on one
            int end = (int) Math.min(rowEnd, ((long) r / rowsPerPanel * rowsPerPanel) + step);
            int rc;
            try {
                rc = (int) Downcall.MATMUL.invokeExact(format, lw.lut, w.rows(), k, w.tensorScale(),
                        t, sc, su, n, out, yAt, r, end);
            } catch (Throwable e) {
                throw NativeLibrary.rethrow(e);
            }
            if (rc != 0) {
                throw NativeLibrary.rethrow(failure("wf_lut_matmul", rc, w));
            }
            r = end;
        }
    }

    /**
     * The activation scales (or sums) of tokens from {@code from} on: Q8_K has one per 256-block and token, I8_S
     * one per token.
     */
    private static MemorySegment tokenSlice(MemorySegment scales, QuantizedActivations x, int from) {
        if (from == 0) {
            return scales; // no slice object: decode steps allocate nothing (NoAllocationTest)
        }
        int perToken = x.format() == dev.wrinklefree.kernels.ActivationFormat.Q8_K ? x.cols() / 256 : 1;
        return scales.asSlice(4L * from * perToken);
    }

    /**
     * Tokens {@code [t0, t0 + 32)} with the token-table kernel, in row ranges of at most
     * {@link #TLUT_MAX_MACS_PER_CALL} per downcall. One tile per call: every call builds its tables, and a
     * 2560-row tile fits one call.
     */
    private void tokenTables(TokenTables.Packed b, QuantizedActivations x, int t0, float[] y, int yOffset,
                             int rowStart, int rowEnd) {
        TernaryMatrix w = b.matrix();
        int k = w.cols();
        int step = (int) Math.min(Integer.MAX_VALUE, Math.max(64, TLUT_MAX_MACS_PER_CALL / ((long) TLUT_TILE * k)));
        int format = w.format().ordinal();
        MemorySegment q = HeapSegments.of(x.quants());  // whole arrays: C offsets them to token t0
        MemorySegment sc = HeapSegments.of(x.scales());
        MemorySegment su = HeapSegments.of(x.sums());
        MemorySegment out = HeapSegments.of(y);
        for (int r = rowStart; r < rowEnd; ) {
            int end = (int) Math.min(rowEnd, (long) r + step);
            int rc;
            try {
                rc = (int) TlutDowncall.MATMUL.invokeExact(format, b.index(), b.scales(), w.rows(), k, w.tensorScale(),
                        q, sc, su, t0, TLUT_TILE, out, (long) yOffset, r, end);
            } catch (Throwable e) {
                throw NativeLibrary.rethrow(e);
            }
            if (rc != 0) {
                throw NativeLibrary.rethrow(failure("wf_tlut_matmul", rc, w));
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

    /**
     * This thread's tables of the last activations it saw (see the class comment), with the segments of those
     * tokens' scales and sums: made once per input, so that a call on tokens after the first allocates no slice
     * either. Buffers only grow.
     */
    private static final class Tables {
        private static final ThreadLocal<Tables> LOCAL = ThreadLocal.withInitial(Tables::new);

        private QuantizedActivations source;
        private long version;
        private int from;
        private short[] data = new short[0];
        private MemorySegment scales;
        private MemorySegment sums;

        /** Tables of tokens {@code [from, x.rows())}. */
        static Tables of(QuantizedActivations x, int from) {
            Tables c = LOCAL.get();
            if (c.source != x || c.version != x.version() || c.from != from) {
                c.build(x, from);
            }
            return c;
        }

        private void build(QuantizedActivations x, int from) {
            int n = x.rows() - from;
            NativeLibrary.Lut lib = NativeLibrary.loaded().lut();
            long perRow;
            try {
                perRow = (long) lib.tokenTableEntries().get().invokeExact(x.cols());
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            long need = perRow * n;
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("LUT tables of " + n + " rows of " + x.cols()
                        + " activations exceed a Java array; use fewer rows per call");
            }
            if (data.length < need) {
                data = new short[(int) need];
            }
            source = null;  // a failed build leaves no stale match
            int rc;
            try {
                MemorySegment q = HeapSegments.of(x.quants());
                MemorySegment rows = from == 0 ? q : q.asSlice((long) from * x.cols()); // no slice object in decode
                rc = (int) Downcall.TABLES.invokeExact(rows, n, x.cols(), HeapSegments.of(data));
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            if (rc != 0) {
                throw new IllegalStateException("native:lut: wf_lut_tables returned error " + rc);
            }
            scales = tokenSlice(HeapSegments.of(x.scales()), x, from);
            sums = tokenSlice(HeapSegments.of(x.sums()), x, from);
            source = x;
            version = x.version();
            this.from = from;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
