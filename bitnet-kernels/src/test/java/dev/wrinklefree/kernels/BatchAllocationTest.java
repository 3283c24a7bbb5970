package dev.wrinklefree.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * After warm-up, the default kernels allocate nothing per call, at batch 1 and at batches that leave tokens over
 * their whole tiles (which go to another strategy). The runtime's NoAllocationTest covers whole decode steps.
 */
class BatchAllocationTest {
    @ParameterizedTest
    @ValueSource(strings = {"vector", "native"})
    void callsAllocateNothingOnceWarm(String name) {
        TernaryKernel kernel = KernelContractTest.kernel(name);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom rnd = new SplittableRandom(41);
        int m = 64;
        int k = 512;
        for (TernaryFormat f : new TernaryFormat[] {TernaryFormat.TQ2_0, TernaryFormat.I2_S}) {
            PreparedWeights w = kernel.prepare(KernelFixtures.unitScaled(f, KernelFixtures.randomTernary(rnd, m * k, 30), m, k));
            for (int n : new int[] {1, 40, 70}) {
                QuantizedActivations x = QuantizedActivations.allocate(f, k, n).quantize(KernelFixtures.gaussian(rnd, n * k, 1.0), 0, n);
                float[] y = new float[m * n];
                long c0 = mx.getCurrentThreadAllocatedBytes();
                long c1 = mx.getCurrentThreadAllocatedBytes();
                // Interpreted or C1-compiled Vector API code boxes its vectors, and a window in which the JIT
                // deoptimizes may allocate: keep calling until C2 has compiled everything; the best window is the
                // steady state. Calls this small need tens of thousands before C2 compiles their loops.
                long best = Long.MAX_VALUE;
                for (int window = 0; window < 40 && best != 0; window++) {
                    for (int i = 0; i < 2000; i++) {
                        kernel.matmul(w, x, y);
                    }
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) {
                        kernel.matmul(w, x, y);
                    }
                    best = Math.min(best, mx.getCurrentThreadAllocatedBytes() - before - (c1 - c0));
                }
                assertEquals(0, best, kernel.name() + " " + f + " N=" + n + ": bytes allocated by 100 calls");
            }
        }
    }
}
