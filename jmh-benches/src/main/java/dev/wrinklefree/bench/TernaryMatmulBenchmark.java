package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.Kernels;
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
import java.util.concurrent.TimeUnit;

/**
 * One ternary matmul {@code Y = W X} per operation, for every backend, format, real layer shape, batch
 * size, thread count and weight residency.
 *
 * <p>Score: operations (matmuls) per second. Secondary metrics ({@link Counters}, JMH aux counters, so
 * they are rates over the same measured time): {@code weights} = weights x tokens per second
 * ({@code M*K*batch} per op), {@code bytes} = weight bytes streamed per second (per op:
 * {@code PreparedWeights.bytesPerCall(batch)}, the packed tensor, or the layout the call reads when the kernel
 * repacks, e.g. {@code vector:lut} at 1.81 bits per weight, {@code vector:tlut} at 4). {@code BenchTable} divides {@code bytes} by {@code MemoryBandwidthBenchmark.read}
 * of the same run for the fraction of the memory roofline.
 *
 * <p>Every operation marks the activations as changed ({@code QuantizedActivations.rows}), so the
 * per-call work of kernels that rearrange activations (tables, widened copies) is measured; the
 * quantization itself is not ({@code ActivationQuantizationBenchmark}).
 *
 * <p>{@code residency=hot}: one matrix, which stays in the caches when it fits (2560x2560 TQ2_0 is 1.6 MB,
 * L2 is 2 MB per core here). {@code cold}: copies of the matrix totalling at least 1 GiB off-heap (the
 * {@code wrinklefree.bench.coldBytes} property changes that), used in turn, so weights stream from DRAM
 * as in a decode step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms2g", "-Xmx6g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TernaryMatmulBenchmark {
    /**
     * Kernel name as {@code Kernels.byName} takes it: scalar, vector, vector:lut, ..., native (its best ISA path)
     * or one native path: native:avx512vnni, native:avx512vnni256, native:avx512bw, native:avx2, native:avxvnni,
     * native:scalar (compare them in one run with {@code -p backend=native:avx512vnni,native:avx2,...}).
     */
    @Param({"scalar", "vector", "native"})
    public String backend;

    @Param({"TQ2_0", "TQ1_0", "I2_S"})
    public String format;

    /** M x K: bitnet-2b-4t q/o, k/v, gate/up, down; llama3-8b q/o, k/v, gate/up, down. */
    @Param({"2560x2560", "640x2560", "6912x2560", "2560x6912", "4096x4096", "1024x4096", "14336x4096", "4096x14336"})
    public String shape;

    /** Tokens per matmul: 1 is the decode GEMV. */
    @Param({"1", "8", "32", "128"})
    public int batch;

    /** Threads computing one matmul (the caller included); more than 1 uses ParallelKernel. */
    @Param({"1", "2"})
    public int threads;

    @Param({"hot", "cold"})
    public String residency;

    private Arena arena;
    private TernaryKernel kernel;
    private ParallelKernel parallel;
    private PreparedWeights[] weights;
    private QuantizedActivations x;
    private float[] y;
    private int next;
    private long weightsPerOp;
    private long bytesPerOp;

    /** Secondary metrics, reported by JMH as rates per second next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        /** Weights x tokens multiplied. */
        public long weights;
        /** Weight bytes streamed (packed tensor or repacked layout). */
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        TernaryFormat f = TernaryFormat.parse(format);
        int[] mk = MatmulFixture.shape(shape);
        if (!residency.equals("cold") && !residency.equals("hot")) {
            throw new IllegalArgumentException("residency must be hot or cold, got '" + residency + "'");
        }
        kernel = Kernels.byName(backend);
        if (threads > 1) {
            parallel = ParallelKernel.of(kernel, threads);
            kernel = parallel;
        }
        arena = Arena.ofShared();
        MatmulFixture.warmUp(kernel, f, batch, arena);
        weights = MatmulFixture.copies(kernel, f, mk[0], mk[1], batch, residency.equals("cold"), arena);
        weightsPerOp = (long) mk[0] * mk[1] * batch;
        bytesPerOp = weights[0].bytesPerCall(batch);
        x = MatmulFixture.activations(f, mk[1], batch);
        y = new float[mk[0] * batch];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (parallel != null) {
            parallel.close();
        }
        weights = null;
        arena.close();
    }

    @Benchmark
    public float[] matmul(Counters counters) {
        PreparedWeights w = weights[next];
        next = next + 1 == weights.length ? 0 : next + 1;
        // New activations every call, as in a decode step: kernels that derive a layout from the
        // activations (tables, widened copies) pay for it in every operation, not once per trial.
        x.rows(batch);
        kernel.matmul(w, x, y);
        counters.weights += weightsPerOp;
        counters.bytes += bytesPerOp;
        return y;
    }
}
