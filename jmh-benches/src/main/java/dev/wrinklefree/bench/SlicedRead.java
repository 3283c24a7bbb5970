package dev.wrinklefree.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;

/**
 * What the two memory-read benchmarks share (Java's {@link MemoryBandwidthBenchmark} and C's
 * {@link NativeMemoryReadBenchmark}), so that they differ only in the loop that reads: the buffer's contents,
 * the worker pool, and the split of one pass into one contiguous slice per thread.
 */
final class SlicedRead {
    private SlicedRead() {
    }

    /** Fills {@code seg} (a multiple of 8 bytes) with a non-constant pattern, so every page is really backed. */
    static void fill(MemorySegment seg) {
        for (long i = 0; i < seg.byteSize(); i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
        }
    }

    /** {@code threads - 1} daemon workers (the benchmark thread reads the first slice), or null for one thread. */
    static ExecutorService pool(int threads, String name) {
        return threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /**
     * One pass over {@code src}: slice {@code i} of {@code threads} equal ones is read by worker {@code i}
     * ({@code pending} holds their futures), slice 0 by the caller; returns the sum of the readers' results.
     */
    static long read(MemorySegment src, int threads, ExecutorService pool, Future<?>[] pending,
                     ToLongFunction<MemorySegment> reader) throws ExecutionException, InterruptedException {
        long slice = src.byteSize() / threads;
        for (int i = 1; i < threads; i++) {
            MemorySegment part = src.asSlice(i * slice, slice);
            pending[i] = pool.submit(() -> reader.applyAsLong(part));
        }
        long total = reader.applyAsLong(src.asSlice(0, slice));
        for (int i = 1; i < threads; i++) {
            total += (Long) pending[i].get();
        }
        return total;
    }
}
