package dev.wrinklefree.kernels.ffm;

import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.format.TernaryCodec;
import org.junit.jupiter.api.Assumptions;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers of the native tests. System property {@value #REQUIRED_PROPERTY} (set by {@code .ci/run} through
 * Maven): when true, a native library that is absent or does not load fails the tests instead of skipping them.
 */
final class NativeTests {
    static final String REQUIRED_PROPERTY = "wrinklefree.native.required";

    private NativeTests() {
    }

    static boolean required() {
        return Boolean.getBoolean(REQUIRED_PROPERTY);
    }

    /** Skips the calling test (or fails it in required mode) when the library is not loaded. */
    static void requireLibrary() {
        NativeLibrary.unavailableReason().ifPresent(why -> {
            if (required()) {
                fail("native library required (-D" + REQUIRED_PROPERTY + "=true) but unavailable: " + why);
            }
            Assumptions.abort("native kernels skipped: " + why);
        });
    }

    /** A kernel for every variant this CPU runs (the LUT kernels and every ISA path), preferred first. */
    static List<TernaryKernel> usableKernels() {
        requireLibrary();
        NativeKernelProvider p = new NativeKernelProvider();
        return p.variants().stream().map(p::create).toList();
    }

    static byte[] randomTernary(SplittableRandom rnd, int count) {
        byte[] t = new byte[count];
        for (int i = 0; i < count; i++) {
            t[i] = (byte) (rnd.nextInt(3) - 1);
        }
        return t;
    }

    /** Random int8 values over the whole range, -128 included. */
    static byte[] randomInt8(SplittableRandom rnd, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /** Scale-1 weights: kernel outputs are then the exact integer dot products. */
    static TernaryMatrix unitMatrix(TernaryFormat f, byte[] ternary, int rows, int cols) {
        return TernaryCodec.packTernary(f, ternary, rows, cols);
    }

    /** Scale-1 activations from raw int8 rows: {@code rows} rows of {@code cols} taken from {@code values}. */
    static QuantizedActivations unitActivations(ActivationFormat f, byte[] values, int rows, int cols) {
        QuantizedActivations x = QuantizedActivations.allocate(f, cols, rows);
        byte[] row = new byte[cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * cols, row, 0, cols);
            x.setRow(r, row, 1f);
        }
        return x;
    }
}
