package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * The C kernels of one ISA path (see {@code bitnet-kernels/src/main/c}), called through FFM. Weights are read in
 * place from their segment (heap, off-heap or a mapped file); activations and output are the Java arrays
 * themselves, passed without copying by a critical downcall.
 *
 * <p>Results are bit-identical to the scalar oracle on every path: the integer dot products are exact (16-bit
 * intermediates are widened before they can overflow) and the float epilogue follows the oracle's operations in
 * the oracle's order. Stateless and thread-safe: the C side keeps its activation scratch per thread.
 */
public final class NativeKernel implements TernaryKernel {
    /**
     * Most multiply-adds one downcall performs (about a millisecond): a critical downcall holds off
     * safepoints until it returns, so big GEMMs are cut into row ranges of at most this much work.
     */
    static final long MAX_MACS_PER_CALL = 1L << 27;
    /** Fewest rows per downcall when cutting, so the per-call activation repacking stays negligible. */
    static final int MIN_ROWS_PER_CALL = 256;

    private static final int WF_ERR_ISA = -1;
    private static final int WF_ERR_NOMEM = -2;

    private final Isa isa;

    /**
     * The downcall handle as a static final, so the JIT treats it as a constant and inlines the downcall stub;
     * only then can escape analysis remove the heap-array segments made per call (otherwise 288 bytes per call).
     */
    private static final class Downcall {
        static final MethodHandle MATMUL = NativeLibrary.loaded().matmul().get();
    }

    NativeKernel(Isa isa) {
        this.isa = Objects.requireNonNull(isa, "isa");
        NativeLibrary.loaded();  // fails here, not at the first call, when the library is not loaded
    }

    /** The ISA path this kernel runs. */
    public Isa isa() {
        return isa;
    }

    @Override
    public String name() {
        return "native:" + isa.variantName();
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    @Override
    public void matmul(PreparedWeights pw, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        TernaryKernel.checkArguments(pw, x, y, yOffset, rowStart, rowEnd);
        TernaryMatrix w = pw.matrix();
        int n = x.rows();
        int k = w.cols();
        int step = (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_ROWS_PER_CALL, MAX_MACS_PER_CALL / ((long) n * k)));
        MemorySegment data = w.data();
        MemorySegment q = HeapSegments.of(x.quants());
        MemorySegment scales = HeapSegments.of(x.scales());
        MemorySegment sums = HeapSegments.of(x.sums());
        MemorySegment out = HeapSegments.of(y);
        for (int r = rowStart; r < rowEnd; r += step) {
            int end = (int) Math.min(rowEnd, (long) r + step);
            int rc;
            try {
                rc = (int) Downcall.MATMUL.invokeExact(isa.id(), w.format().ordinal(), data, w.rowBytes(), k, w.rows(),
                        w.tensorScale(), q, scales, sums, n, out, (long) yOffset, r, end);
            } catch (Throwable t) {
                throw NativeLibrary.rethrow(t);
            }
            if (rc != 0) {
                throw NativeLibrary.rethrow(failure(rc, w));
            }
        }
    }

    private Throwable failure(int rc, TernaryMatrix w) {
        return switch (rc) {
            case WF_ERR_ISA -> new IllegalStateException(name() + ": the library refuses ISA path " + isa.variantName()
                    + " on this CPU (" + NativeLibrary.cpuFeatures() + ")");
            case WF_ERR_NOMEM -> new OutOfMemoryError(name() + ": no native memory for the activation scratch of " + w);
            default -> new IllegalStateException(name() + ": wf_matmul returned error " + rc + " for " + w);
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
