package dev.wrinklefree.kernels.parallel;

import dev.wrinklefree.kernels.KernelFixtures;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.scalar.ScalarKernel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's own promises; its results for every kernel are checked in KernelContractTest. */
class ParallelKernelTest {
    private static final TernaryMatrix W = KernelFixtures.unitScaled(TernaryFormat.TQ2_0, new byte[1000 * 256], 1000, 256);
    private static final QuantizedActivations X = QuantizedActivations.allocate(TernaryFormat.TQ2_0, 256, 1).rows(1);

    /** Counts how often each row is computed and checks that chunks start on its alignment. */
    private static class CountingKernel implements TernaryKernel {
        final AtomicIntegerArray counts = new AtomicIntegerArray(1000);
        final int align;
        volatile String misaligned;

        CountingKernel(int align) {
            this.align = align;
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public boolean supports(TernaryFormat format) {
            return true;
        }

        @Override
        public int rowAlignment() {
            return align;
        }

        @Override
        public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
            if (rowStart % align != 0 && rowStart != 3) {
                misaligned = "[" + rowStart + ", " + rowEnd + ")";
            }
            for (int r = rowStart; r < rowEnd; r++) {
                counts.incrementAndGet(r);
                y[yOffset + r] = r;
            }
        }
    }

    @Test
    void everyRowIsComputedExactlyOncePerCallOnAlignedChunks() {
        CountingKernel k = new CountingKernel(32);
        try (ParallelKernel par = ParallelKernel.of(k, 3)) {
            float[] y = new float[1000];
            int calls = 3000;
            for (int i = 0; i < calls; i++) {
                par.matmul(W, X, y, 0, i % 2 == 0 ? 0 : 3, 1000);
            }
            for (int r = 0; r < 1000; r++) {
                assertEquals(r < 3 ? calls / 2 : calls, k.counts.get(r), "row " + r);
                assertEquals(r, y[r]);
            }
            assertEquals(null, k.misaligned, "a chunk did not start on a multiple of the row alignment");
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolStaysUsable() {
        TernaryKernel failing = new CountingKernel(1) {
            @Override
            public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
                if (rowEnd > 900 && y.length == 1000) {
                    throw new IllegalStateException("row range [" + rowStart + ", " + rowEnd + ") failed");
                }
                super.matmul(w, x, y, yOffset, rowStart, rowEnd);
            }
        };
        try (ParallelKernel par = ParallelKernel.of(failing, 2)) {
            for (int i = 0; i < 20; i++) {
                String msg = assertThrows(IllegalStateException.class, () -> par.matmul(W, X, new float[1000])).getMessage();
                assertTrue(msg.contains("failed"), msg);
                par.matmul(W, X, new float[1001]); // the same pool completes the next call
            }
        }
    }

    @Test
    void concurrentCallersAreSerializedAndAllCorrect() throws Exception {
        SplittableRandom rnd = new SplittableRandom(4);
        int m = 301;
        int k = 512;
        TernaryMatrix w = KernelFixtures.unitScaled(TernaryFormat.TQ2_0, KernelFixtures.randomTernary(rnd, m * k, 30), m, k);
        try (ParallelKernel par = ParallelKernel.of(new ScalarKernel(), 2); ExecutorService callers = Executors.newFixedThreadPool(4)) {
            List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                long seed = c;
                done.add(callers.submit((Callable<Void>) () -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    for (int i = 0; i < 25; i++) {
                        QuantizedActivations x = KernelFixtures.rawActivations(TernaryFormat.TQ2_0,
                                new byte[][] {KernelFixtures.randomInt8(r, k)}, k);
                        float[] expected = new float[m];
                        new ScalarKernel().matmul(w, x, expected);
                        float[] y = new float[m];
                        par.matmul(w, x, y);
                        assertArrayEquals(expected, y);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        }
    }

    @Test
    void closeStopsTheWorkersAndLaterCallsAreRefused() {
        long before = liveWorkers();
        ParallelKernel par = ParallelKernel.of(new CountingKernel(1), 3);
        assertEquals(before + 2, liveWorkers(), "two daemon workers besides the caller");
        par.matmul(W, X, new float[1000]);
        par.close();
        par.close(); // idempotent
        assertEquals(before, liveWorkers(), "close() joins its workers");
        String msg = assertThrows(IllegalStateException.class, () -> par.matmul(W, X, new float[1000])).getMessage();
        assertTrue(msg.contains("closed"), msg);
    }

    private static long liveWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("wrinklefree-kernel-") && t.isAlive() && t.isDaemon()).count();
    }

    @Test
    void oneThreadRunsOnTheCallerAndArgumentsAreChecked() {
        CountingKernel k = new CountingKernel(1);
        try (ParallelKernel par = ParallelKernel.of(k, 1)) {
            assertSame(k, par.delegate());
            assertEquals("counting", par.name());
            par.matmul(W, X, new float[1000]);
            assertEquals(1, k.counts.get(999));
            String msg = assertThrows(IllegalArgumentException.class, () -> par.matmul(W, X, new float[10])).getMessage();
            assertTrue(msg.contains("1000") && msg.contains("10"), msg);
        }
        assertThrows(IllegalArgumentException.class, () -> ParallelKernel.of(k, 0));
        String old = System.getProperty(ParallelKernel.SPIN_PROPERTY);
        System.setProperty(ParallelKernel.SPIN_PROPERTY, "soon");
        try {
            String msg = assertThrows(IllegalArgumentException.class, () -> ParallelKernel.of(k, 2)).getMessage();
            assertTrue(msg.contains(ParallelKernel.SPIN_PROPERTY) && msg.contains("soon"), msg);
        } finally {
            if (old == null) {
                System.clearProperty(ParallelKernel.SPIN_PROPERTY);
            } else {
                System.setProperty(ParallelKernel.SPIN_PROPERTY, old);
            }
        }
    }
}
