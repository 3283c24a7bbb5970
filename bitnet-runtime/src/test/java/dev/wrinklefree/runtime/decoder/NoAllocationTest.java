package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.model.ModelPresets;
import dev.wrinklefree.runtime.model.SyntheticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After warm-up, a decode step allocates nothing, on the calling thread or on the team's workers. */
class NoAllocationTest {
    @TempDir
    Path dir;

    @Test
    void decodeStepsAllocateNothing() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (GgmlType head : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0}) {
            Path p = dir.resolve("m-" + head + ".gguf");
            SyntheticModel.write(new SyntheticModel.Spec(ModelPresets.byId("tiny-gqa"), TernaryFormat.TQ2_0, head, 1), p, null);
            try (BitNetModel m = BitNetModel.open(p); Decoder d = Decoder.create(m, DecoderOptions.defaults().withThreads(2))) {
                Session s = d.newSession(200);
                // Warm up until the JIT has compiled the vector code (interpreted Vector API code allocates).
                for (int round = 0; round < 40; round++) {
                    s.reset();
                    s.prefill(new int[] {256, 72, 105});
                    for (int i = 0; i < 120; i++) {
                        s.decode(65 + i % 20);
                    }
                }
                List<Long> ids = new ArrayList<>();
                ids.add(Thread.currentThread().threadId());
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().startsWith("wrinklefree-team-")) {
                        ids.add(t.threadId());
                    }
                }
                assertTrue(ids.size() >= 2, "found the worker thread");
                long[] arr = ids.stream().mapToLong(Long::longValue).toArray();
                // The measurement itself allocates its result array: calibrate with an empty interval.
                long c0 = sum(mx.getThreadAllocatedBytes(arr));
                long c1 = sum(mx.getThreadAllocatedBytes(arr));
                // Steady state is what counts: a window in which the JIT happens to deoptimize and re-profile may
                // allocate (interpreted vector code boxes), so take the best of a few windows.
                long best = Long.MAX_VALUE;
                for (int window = 0; window < 8 && best != 0; window++) {
                    s.reset();
                    s.prefill(new int[] {256, 72, 105});
                    long before = sum(mx.getThreadAllocatedBytes(arr));
                    for (int i = 0; i < 50; i++) {
                        s.decode(65 + i % 20);
                    }
                    long after = sum(mx.getThreadAllocatedBytes(arr));
                    best = Math.min(best, (after - before) - (c1 - c0));
                }
                assertEquals(0, best, head + " head, kernel " + d.kernel().name() + ": bytes allocated by 50 decode steps");
            }
        }
    }

    private static long sum(long[] a) {
        long n = 0;
        for (long v : a) {
            n += v;
        }
        return n;
    }
}
