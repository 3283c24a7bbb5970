package dev.wrinklefree.bench;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The memory roofline every kernel is judged against: a read-only sum and a copy over off-heap buffers of
 * at least 1 GiB (far beyond the last-level cache), split over 1 or 2 threads.
 *
 * <p>Score: passes per second. Secondary metric {@code bytes} (JMH aux counter, a rate per second):
 * {@code read} counts the bytes read; {@code copy} counts bytes read plus bytes written (STREAM's
 * convention). {@code BenchTable} divides kernels' weight bytes/s by {@code read}'s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms1g", "-Xmx4g", "-XX:MaxDirectMemorySize=8g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
public class MemoryBandwidthBenchmark {
    /** Bytes per buffer, unless {@code -Dwrinklefree.bench.bandwidthBytes} says otherwise. */
    static final long BYTES = Long.getLong("wrinklefree.bench.bandwidthBytes", 1L << 30);
    /**
     * 256-bit vectors where the CPU has them. Measured on Zen 4 (one thread, best of 55 interleaved passes over
     * 1 GiB in one JVM): 256-bit and 128-bit loads 27 GB/s, as fast as the C loop of NativeMemoryReadBenchmark;
     * 512-bit loads 23.7 GB/s with four accumulators and 19 GB/s with eight.
     */
    private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? LongVector.SPECIES_256 : LongVector.SPECIES_PREFERRED;
    /** Bytes one iteration of {@link #sum} reads: four vectors. Buffer and thread slices are multiples of it. */
    static final int BLOCK = 4 * SPECIES.vectorByteSize();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;
    private ExecutorService pool;
    private final Future<?>[] pending = new Future<?>[64];

    /** Bytes moved, reported by JMH as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (threads < 1 || threads > pending.length) {
            throw new IllegalArgumentException("threads must be in [1, " + pending.length + "], got " + threads);
        }
        arena = Arena.ofShared();
        long bytes = BYTES / ((long) BLOCK * threads) * ((long) BLOCK * threads);
        src = arena.allocate(bytes, 4096);
        dst = arena.allocate(bytes, 4096);
        SlicedRead.fill(src);
        dst.fill((byte) 1);
        pool = SlicedRead.pool(threads, "bandwidth-worker");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.shutdownNow();
        }
        arena.close();
    }

    @Benchmark
    public long read(Counters counters) throws ExecutionException, InterruptedException {
        long total = SlicedRead.read(src, threads, pool, pending, MemoryBandwidthBenchmark::sum);
        counters.bytes += src.byteSize();
        return total;
    }

    @Benchmark
    public void copy(Counters counters) throws ExecutionException, InterruptedException {
        long slice = src.byteSize() / threads;
        for (int i = 1; i < threads; i++) {
            long off = i * slice;
            pending[i] = pool.submit(() -> MemorySegment.copy(src, off, dst, off, slice));
        }
        MemorySegment.copy(src, 0, dst, 0, slice);
        for (int i = 1; i < threads; i++) {
            pending[i].get();
        }
        counters.bytes += 2 * src.byteSize();
    }

    /**
     * Sum of the longs of {@code seg} (a multiple of {@link #BLOCK} bytes), front to back (one stream per thread:
     * what the hardware prefetchers serve best, and what a GEMV's weight stream looks like), with four independent
     * vector accumulators so that loads, not adds, bound it.
     */
    static long sum(MemorySegment seg) {
        int step = SPECIES.vectorByteSize();
        LongVector a = LongVector.zero(SPECIES);
        LongVector b = LongVector.zero(SPECIES);
        LongVector c = LongVector.zero(SPECIES);
        LongVector d = LongVector.zero(SPECIES);
        long n = seg.byteSize();
        for (long o = 0; o < n; o += 4L * step) {
            a = a.add(LongVector.fromMemorySegment(SPECIES, seg, o, LE));
            b = b.add(LongVector.fromMemorySegment(SPECIES, seg, o + step, LE));
            c = c.add(LongVector.fromMemorySegment(SPECIES, seg, o + 2L * step, LE));
            d = d.add(LongVector.fromMemorySegment(SPECIES, seg, o + 3L * step, LE));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }
}
