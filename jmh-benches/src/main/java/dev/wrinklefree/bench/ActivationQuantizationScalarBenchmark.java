package dev.wrinklefree.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@link ActivationQuantizationBenchmark} with the scalar reference quantizers
 * ({@code -Dwrinklefree.quantize.vector=false}): the baseline of the vectorized ones, compared as a ratio
 * within one run ({@code ActivationQuantization} matches both classes).
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Dwrinklefree.quantize.vector=false"})
public class ActivationQuantizationScalarBenchmark extends ActivationQuantizationBenchmark {
}
