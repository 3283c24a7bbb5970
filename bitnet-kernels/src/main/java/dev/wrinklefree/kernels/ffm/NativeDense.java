package dev.wrinklefree.kernels.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Dense GEMV in native code for the LM head, the largest matrix of a decode step: ggml's F16 and Q8_0 weight
 * layouts (a heap, off-heap or memory-mapped segment, read in place) times one activation vector, for a range of
 * output rows (C sources {@code wf_dense_body.h}; AVX-512 VNNI or AVX2 with F16C and FMA, chosen from cpuid).
 *
 * <p>Numerics. F16: {@code y[r] = sum_i w[r][i] * x[i]}, halves converted exactly, products summed with FMA in
 * vector lanes. Q8_0 (blocks of {@code d:f16, qs[32]}, 34 bytes): per 32-block the exact integer
 * {@code sum_j wq[j] * xq[j]}, converted to float per lane and accumulated with FMA times {@code d_w * d_x} (one float
 * multiply), as ggml's {@code ggml_vec_dot_q8_0_q8_0}. The input preparation (rounding to F16, quantizing to Q8_0)
 * is the caller's. Float sums are reordered across lanes, so results match a sequential Java sum within float
 * rounding (about {@code 1e-6} of {@code sum |w x|}), not bit for bit.
 *
 * <p>Memory bound on Zen 4 (one thread, cold weights): about 20 GB/s for both types, against 10 to 15 GB/s for
 * the Java Vector API head. Stateless and thread-safe: threads may compute disjoint row ranges of one output.
 */
public final class NativeDense {
    private static final int F16 = 0;
    private static final int Q8_0 = 1;
    private static final int BEST = -1;
    private static final int WF_ERR_NOMEM = -2;
    /** Weight bytes per downcall (about a millisecond): a critical downcall holds off safepoints until it returns. */
    static final long MAX_BYTES_PER_CALL = 1L << 24;

    private NativeDense() {
    }

    /** The static final handle lets the JIT inline the downcall and drop the per-call heap segments. */
    private static final class Downcall {
        static final MethodHandle GEMV = NativeLibrary.loaded().denseGemv().get();
    }

    /** Empty when the native dense GEMV runs here; otherwise why not, in one line. */
    public static Optional<String> unavailableReason() {
        Optional<String> lib = NativeLibrary.unavailableReason();
        if (lib.isPresent()) {
            return lib;
        }
        if (NativeLibrary.loaded().denseIsa() < 0) {
            return Optional.of("the native dense GEMV needs AVX2 with F16C and FMA (cpuid: " + NativeLibrary.cpuFeatures() + ")");
        }
        return Optional.empty();
    }

    /** The ISA paths the dense GEMV can run on this CPU, best first (for tests; empty when unavailable). */
    static List<Isa> usablePaths() {
        if (unavailableReason().isPresent()) {
            return List.of();
        }
        return NativeLibrary.usableIsas().stream().filter(i -> i == Isa.AVX512_VNNI || i == Isa.AVX2).toList();
    }

    /**
     * {@code y[r] = sum_i w[r][i] * x[i]} for rows {@code [rowStart, rowEnd)} of F16 weights.
     *
     * @param w        F16 weights, row {@code r} at byte {@code r * rowBytes}, {@code cols} halves (little-endian)
     * @param rowBytes bytes between rows, at least {@code 2 * cols}
     * @param cols     values per row, at least 1
     * @param x        {@code cols} floats (for ggml's numerics, already rounded to F16 values)
     * @param y        output, at least {@code rowEnd} floats; only {@code y[rowStart .. rowEnd)} is written
     * @throws IllegalArgumentException when a size or range does not fit (checked before any native access)
     * @throws IllegalStateException    when {@link #unavailableReason()} is not empty
     */
    public static void f16(MemorySegment w, long rowBytes, int cols, float[] x, float[] y, int rowStart, int rowEnd) {
        f16(BEST, w, rowBytes, cols, x, y, rowStart, rowEnd);
    }

    /**
     * Q8_0 weights times Q8_0 activations for rows {@code [rowStart, rowEnd)} (see the class comment).
     *
     * @param w        Q8_0 weights: row {@code r} at byte {@code r * rowBytes}, {@code cols / 32} blocks of 34 bytes
     * @param rowBytes bytes between rows, at least {@code cols / 32 * 34}
     * @param cols     values per row, a positive multiple of 32
     * @param xq       the activation quants, {@code cols} int8 (any value)
     * @param xd       the activation block scales, {@code cols / 32} floats
     * @param y        output, at least {@code rowEnd} floats; only {@code y[rowStart .. rowEnd)} is written
     * @throws IllegalArgumentException when a size or range does not fit (checked before any native access)
     * @throws IllegalStateException    when {@link #unavailableReason()} is not empty
     */
    public static void q8_0(MemorySegment w, long rowBytes, int cols, byte[] xq, float[] xd, float[] y, int rowStart,
                            int rowEnd) {
        q8_0(BEST, w, rowBytes, cols, xq, xd, y, rowStart, rowEnd);
    }

    /** {@link #f16} on one ISA path (tests). */
    static void f16(Isa isa, MemorySegment w, long rowBytes, int cols, float[] x, float[] y, int rowStart, int rowEnd) {
        f16(isa.id(), w, rowBytes, cols, x, y, rowStart, rowEnd);
    }

    /* Heap segments come from HeapSegments: a decode step allocates nothing, whatever C2's escape analysis does. */
    private static void f16(int isa, MemorySegment w, long rowBytes, int cols, float[] x, float[] y, int rowStart,
                            int rowEnd) {
        check(w, rowBytes, 2L * cols, cols, x.length, cols, y, rowStart, rowEnd, "F16");
        int step = step(rowBytes);
        for (int r = rowStart; r < rowEnd; r += step) {
            int end = (int) Math.min(rowEnd, (long) r + step);
            int rc;
            try {
                rc = (int) Downcall.GEMV.invokeExact(isa, F16, w, rowBytes, cols, HeapSegments.of(x),
                        MemorySegment.NULL, MemorySegment.NULL, HeapSegments.of(y), r, end);
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            checkResult(rc, isa, F16);
        }
    }

    /** {@link #q8_0} on one ISA path (tests). */
    static void q8_0(Isa isa, MemorySegment w, long rowBytes, int cols, byte[] xq, float[] xd, float[] y, int rowStart,
                     int rowEnd) {
        q8_0(isa.id(), w, rowBytes, cols, xq, xd, y, rowStart, rowEnd);
    }

    private static void q8_0(int isa, MemorySegment w, long rowBytes, int cols, byte[] xq, float[] xd, float[] y,
                             int rowStart, int rowEnd) {
        if (cols % 32 != 0) {
            throw new IllegalArgumentException("Q8_0 rows hold a multiple of 32 values, got cols=" + cols);
        }
        check(w, rowBytes, cols / 32 * 34L, cols, xq.length, cols, y, rowStart, rowEnd, "Q8_0");
        if (xd.length < cols / 32) {
            throw new IllegalArgumentException("Q8_0 activations need " + cols / 32 + " block scales, got " + xd.length);
        }
        int step = step(rowBytes);
        for (int r = rowStart; r < rowEnd; r += step) {
            int end = (int) Math.min(rowEnd, (long) r + step);
            int rc;
            try {
                rc = (int) Downcall.GEMV.invokeExact(isa, Q8_0, w, rowBytes, cols, MemorySegment.NULL,
                        HeapSegments.of(xq), HeapSegments.of(xd), HeapSegments.of(y), r, end);
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            checkResult(rc, isa, Q8_0);
        }
    }

    private static void check(MemorySegment w, long rowBytes, long minRowBytes, int cols, int xLength, int xNeed,
                              float[] y, int rowStart, int rowEnd, String type) {
        Objects.requireNonNull(w, "w");
        if (cols < 1 || rowBytes < minRowBytes) {
            throw new IllegalArgumentException(type + ": rows of " + cols + " values need at least " + minRowBytes
                    + " bytes apart, got rowBytes=" + rowBytes);
        }
        if (xLength < xNeed) {
            throw new IllegalArgumentException(type + ": the activation vector needs " + xNeed + " values, got " + xLength);
        }
        if (rowStart < 0 || rowStart > rowEnd || rowEnd > y.length) {
            throw new IllegalArgumentException(type + ": row range [" + rowStart + ", " + rowEnd + ") must lie within the "
                    + y.length + " outputs");
        }
        if (rowEnd > rowStart && w.byteSize() < (rowEnd - 1) * rowBytes + minRowBytes) {
            throw new IllegalArgumentException(type + ": rows up to " + rowEnd + " need " + ((rowEnd - 1) * rowBytes + minRowBytes)
                    + " bytes of weights, the segment has " + w.byteSize());
        }
    }

    /** Rows per downcall: about {@link #MAX_BYTES_PER_CALL} bytes of weights. */
    private static int step(long rowBytes) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, MAX_BYTES_PER_CALL / rowBytes));
    }

    private static void checkResult(int rc, int isa, int type) {
        if (rc == WF_ERR_NOMEM) {
            throw new OutOfMemoryError("native dense GEMV: no memory for its scratch");
        }
        if (rc != 0) {
            throw new IllegalStateException("wf_dense_gemv returned error " + rc + " (isa " + isa + ", type " + type + ")");
        }
    }
}
