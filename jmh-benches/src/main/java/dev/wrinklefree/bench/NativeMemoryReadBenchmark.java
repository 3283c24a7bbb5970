package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.ffm.NativeLibrary;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The memory-read roofline measured in C ({@code wf_read_sum}: four independent 16-byte load streams per
 * thread), to cross-check the Java {@code MemoryBandwidthBenchmark.read}: the same off-heap buffer size (at
 * least 1 GiB, {@code -Dwrinklefree.bench.bandwidthBytes} changes it) split the same way over 1 or 2 threads.
 * If the two disagree by more than noise, the Java loop, not the memory, is the limit of one of them.
 *
 * <p>Score: passes per second. Secondary metric {@code bytes} (JMH aux counter, a rate per second): bytes read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms1g", "-Xmx4g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
public class NativeMemoryReadBenchmark {
    /** Bytes of the buffer, unless {@code -Dwrinklefree.bench.bandwidthBytes} says otherwise. */
    static final long BYTES = Long.getLong("wrinklefree.bench.bandwidthBytes", 1L << 30);

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment src;
    private ExecutorService pool;
    private Future<?>[] pending;

    /** Bytes read, reported by JMH as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        NativeLibrary.unavailableReason().ifPresent(why -> {
            throw new IllegalStateException("native library unavailable: " + why);
        });
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        arena = Arena.ofShared();
        long bytes = BYTES / (64L * threads) * (64L * threads);
        src = arena.allocate(bytes, 4096);
        SlicedRead.fill(src);
        pending = new Future<?>[threads];
        pool = SlicedRead.pool(threads, "native-read-worker");
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
        long total = SlicedRead.read(src, threads, pool, pending, NativeLibrary::readSum);
        counters.bytes += src.byteSize();
        return total;
    }
}
