package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.ffm.NativeLibrary;
import dev.wrinklefree.kernels.parallel.ParallelKernel;
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
import java.util.function.ToLongFunction;

/**
 * Cold matmuls and the memory read, alternated in one JVM, so that a kernel's fraction of the memory roofline
 * compares two rates of the same seconds.
 *
 * <p>Why: on a shared machine the memory read moves with the other tenants' traffic. Here, on 2 threads, one
 * JVM's read iterations ran 37.9, 50.0, 33.7, 49.2 and 48.1 GB/s, and reads minutes apart 29-34 GB/s; a kernel
 * measured in one step and the read in another then share nothing but the machine's name.
 *
 * <p>One operation is {@link #BLOCKS} blocks; a block is one matmul on each of a quarter of the cold copies
 * ({@code TernaryMatmulBenchmark residency=cold}: at least 1 GiB in all, so every call streams from DRAM), then
 * a quarter of one pass of the memory read ({@code NativeMemoryReadBenchmark.read} with {@code read=native},
 * {@code MemoryBandwidthBenchmark.read} with {@code java}: the same loop, buffer size and split over threads),
 * each timed on its own. A block takes about 10 ms per side: long enough that waking the threads (tens of
 * microseconds, once per block and side) costs well under 1 %, short enough that both sides see the same
 * memory traffic.
 *
 * <p>Secondary metrics (JMH aux counters of type EVENTS: totals per iteration, summed over iterations in JMH's
 * score, one value per iteration in {@code rawData}): {@code kernelBytes}, {@code kernelNanos} (the weight bytes
 * the calls streamed, as {@code PreparedWeights.bytesPerCall}, and their time), {@code readBytes},
 * {@code readNanos}. {@code BenchTable} takes, per iteration, (kernelBytes / kernelNanos) / (readBytes /
 * readNanos) and prints the median. The primary score (operations per second) mixes both sides; read it only
 * as a count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx6g", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class ColdRooflineBenchmark {
    /** Blocks per operation: each side's pass is split into this many alternating parts. */
    static final int BLOCKS = 4;

    /** Kernel name as {@code Kernels.byName} takes it (see {@code TernaryMatmulBenchmark.backend}). */
    @Param({"native", "vector"})
    public String backend;

    @Param({"TQ2_0", "TQ1_0", "I2_S"})
    public String format;

    @Param({"2560x2560"})
    public String shape;

    @Param({"1"})
    public int batch;

    /** Threads of the matmul (ParallelKernel above 1) and of the read. */
    @Param({"2"})
    public int threads;

    /** The read loop: {@code native} (C, {@code wf_read_sum}) or {@code java} (Vector API). */
    @Param({"native"})
    public String read;

    private Arena arena;
    private TernaryKernel kernel;
    private ParallelKernel parallel;
    private PreparedWeights[] weights;
    private QuantizedActivations x;
    private float[] y;
    private long bytesPerCall;
    private MemorySegment[] readBlocks;
    private ToLongFunction<MemorySegment> reader;
    private ExecutorService pool;
    private Future<?>[] pending;

    /** Totals per iteration (see the class comment). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** Weight bytes the matmuls streamed. */
        public long kernelBytes;
        /** Nanoseconds the matmuls took. */
        public long kernelNanos;
        /** Bytes the read loop read. */
        public long readBytes;
        /** Nanoseconds the read loop took. */
        public long readNanos;
    }

    @Setup(Level.Trial)
    public void setUp() {
        TernaryFormat f = TernaryFormat.parse(format);
        int[] mk = MatmulFixture.shape(shape);
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads must be in [1, 64], got " + threads);
        }
        reader = switch (read) {
            case "native" -> {
                NativeLibrary.unavailableReason().ifPresent(why -> {
                    throw new IllegalStateException("read=native: native library unavailable: " + why);
                });
                yield NativeLibrary::readSum;
            }
            case "java" -> MemoryBandwidthBenchmark::sum;
            default -> throw new IllegalArgumentException("read must be native or java, got '" + read + "'");
        };
        kernel = Kernels.byName(backend);
        if (threads > 1) {
            parallel = ParallelKernel.of(kernel, threads);
            kernel = parallel;
        }
        arena = Arena.ofShared();
        MatmulFixture.warmUp(kernel, f, batch, arena);
        weights = MatmulFixture.copies(kernel, f, mk[0], mk[1], batch, true, arena);
        bytesPerCall = weights[0].bytesPerCall(batch);
        x = MatmulFixture.activations(f, mk[1], batch);
        y = new float[mk[0] * batch];
        // The read buffer as the read benchmarks size it, cut into BLOCKS parts whose per-thread slices are
        // whole blocks of both read loops.
        long unit = (long) MemoryBandwidthBenchmark.BLOCK * threads * BLOCKS;
        long bytes = MemoryBandwidthBenchmark.BYTES / unit * unit;
        MemorySegment src = arena.allocate(bytes, 4096);
        SlicedRead.fill(src);
        readBlocks = new MemorySegment[BLOCKS];
        for (int b = 0; b < BLOCKS; b++) {
            readBlocks[b] = src.asSlice(b * (bytes / BLOCKS), bytes / BLOCKS);
        }
        pending = new Future<?>[threads];
        pool = SlicedRead.pool(threads, "roofline-read-worker");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (parallel != null) {
            parallel.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        weights = null;
        arena.close();
    }

    @Benchmark
    public long pass(Counters counters) throws ExecutionException, InterruptedException {
        long sum = 0;
        int n = weights.length;
        for (int b = 0; b < BLOCKS; b++) {
            int from = (int) ((long) n * b / BLOCKS);
            int to = (int) ((long) n * (b + 1) / BLOCKS);
            long t0 = System.nanoTime();
            for (int i = from; i < to; i++) {
                // New activations every call, as in TernaryMatmulBenchmark: per-call work on them is measured.
                x.rows(batch);
                kernel.matmul(weights[i], x, y);
            }
            long t1 = System.nanoTime();
            sum += SlicedRead.read(readBlocks[b], threads, pool, pending, reader);
            long t2 = System.nanoTime();
            counters.kernelNanos += t1 - t0;
            counters.kernelBytes += bytesPerCall * (to - from);
            counters.readNanos += t2 - t1;
            counters.readBytes += readBlocks[b].byteSize();
        }
        return sum + Float.floatToRawIntBits(y[0]);
    }
}
