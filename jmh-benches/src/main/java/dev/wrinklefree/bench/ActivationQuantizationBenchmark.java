package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.ActivationFormat;
import dev.wrinklefree.kernels.QuantizedActivations;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost per token of quantizing one activation row of K floats to int8: Q8_K (ggml, for TQ1_0 / TQ2_0)
 * or I8_S (bitnet.cpp, for I2_S). Score: nanoseconds per token (one op = one row).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ActivationQuantizationBenchmark {
    @Param({"Q8_K", "I8_S"})
    public String format;

    /** K: hidden sizes and FFN sizes of bitnet-2b-4t and llama3-8b. */
    @Param({"2560", "6912", "4096", "14336"})
    public int cols;

    private QuantizedActivations x;
    private float[] input;

    @Setup
    public void setUp() {
        x = QuantizedActivations.allocate(ActivationFormat.valueOf(format), cols, 1);
        input = SyntheticWeights.gaussian(new SplittableRandom(3), cols);
    }

    @Benchmark
    public QuantizedActivations quantize() {
        return x.quantize(input);
    }
}
