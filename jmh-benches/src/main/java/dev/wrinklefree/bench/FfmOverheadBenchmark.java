package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.ffm.NativeLibrary;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What crossing from Java into the native kernels costs, next to the work of one 2560x2560 GEMV (BitNet
 * b1.58 2B4T's attention projections), all in one run so the ratio is read directly:
 * <ul>
 *   <li>{@code noop}: an empty critical downcall, the bare FFM transition;
 *   <li>{@code tinyMatmul}: {@code TernaryKernel.matmul} on the smallest legal matrix (1 x 128 I2_S, 1 x 256 TQ),
 *       i.e. argument checks, heap-array segments, the downcall and the C dispatch around almost no work;
 *   <li>{@code gemv2560}: the same call on 2560 x 2560, hot in cache (the smallest real GEMV, where the fixed
 *       cost weighs most).
 * </ul>
 * Overhead per GEMV = {@code tinyMatmul / gemv2560} (AverageTime, ns per call). {@code backend} picks the
 * native path ({@code native} is the preferred one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms1g", "-Xmx2g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FfmOverheadBenchmark {
    @Param({"native"})
    public String backend;

    @Param({"TQ2_0", "I2_S"})
    public String format;

    private Arena arena;
    private TernaryKernel kernel;
    private PreparedWeights tiny;
    private PreparedWeights gemv;
    private QuantizedActivations tinyX;
    private QuantizedActivations gemvX;
    private final float[] tinyY = new float[1];
    private final float[] gemvY = new float[2560];

    @Setup(Level.Trial)
    public void setUp() {
        NativeLibrary.unavailableReason().ifPresent(why -> {
            throw new IllegalStateException("native library unavailable: " + why);
        });
        TernaryFormat f = TernaryFormat.parse(format);
        kernel = Kernels.byName(backend);
        arena = Arena.ofShared();
        // prepare(): in place for the ISA paths, the repacked layout for native:lut (which refuses anything else)
        tiny = kernel.prepare(SyntheticWeights.random(f, 1, f.blockWeights(), arena, 1));
        gemv = kernel.prepare(SyntheticWeights.random(f, 2560, 2560, arena, 2));
        SplittableRandom rnd = new SplittableRandom(3);
        tinyX = QuantizedActivations.allocate(f, f.blockWeights(), 1).quantize(SyntheticWeights.gaussian(rnd, f.blockWeights()));
        gemvX = QuantizedActivations.allocate(f, 2560, 1).quantize(SyntheticWeights.gaussian(rnd, 2560));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void noop() {
        NativeLibrary.noop();
    }

    @Benchmark
    public float[] tinyMatmul() {
        kernel.matmul(tiny, tinyX, tinyY);
        return tinyY;
    }

    @Benchmark
    public float[] gemv2560() {
        kernel.matmul(gemv, gemvX, gemvY);
        return gemvY;
    }
}
