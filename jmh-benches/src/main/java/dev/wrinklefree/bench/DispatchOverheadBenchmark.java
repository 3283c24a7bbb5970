package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.kernels.parallel.ParallelKernel;
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
 * What {@link ParallelKernel} costs by itself: one matmul call on a 2560x2560 matrix whose kernel does
 * nothing, so the score (nanoseconds per call) is argument checks, splitting, waking the workers and
 * waiting for them. {@code threads=1} is the direct call for comparison. {@code BenchTable} states it
 * against one 2560x2560 GEMV of the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DispatchOverheadBenchmark {
    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private ParallelKernel kernel;
    private PreparedWeights weights;
    private QuantizedActivations x;
    private float[] y;

    /** Accepts every call and computes nothing. */
    private static final class NoOpKernel implements TernaryKernel {
        @Override
        public String name() {
            return "noop";
        }

        @Override
        public boolean supports(TernaryFormat format) {
            return true;
        }

        @Override
        public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
            y[yOffset + rowStart] = rowEnd; // one write, so the share is observable
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        TernaryMatrix m = SyntheticWeights.random(TernaryFormat.TQ2_0, 2560, 2560, arena, 1);
        kernel = ParallelKernel.of(new NoOpKernel(), threads);
        weights = kernel.prepare(m);
        x = QuantizedActivations.allocate(TernaryFormat.TQ2_0, 2560, 1).rows(1);
        y = new float[2560];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        arena.close();
    }

    @Benchmark
    public float[] dispatch() {
        kernel.matmul(weights, x, y);
        return y;
    }
}
