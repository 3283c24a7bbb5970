package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.runtime.decoder.Decoder;
import dev.wrinklefree.runtime.decoder.DecoderOptions;
import dev.wrinklefree.runtime.decoder.Session;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.model.ModelPresets;
import dev.wrinklefree.runtime.model.SyntheticModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Tokens per second of the whole BitNet decoder on a synthetic model of a real shape (random ternary
 * weights, the real tensor shapes, so the bytes and the work per token are the real model's).
 *
 * <p>One operation is one token, mode throughput, so the score is tokens/s (the cost model reads it as a
 * measured decode throughput):
 * <ul>
 *   <li>{@code phase=decode}: batch-1 decode steps (the GEMV path), every step at a context of exactly
 *       {@code context} tokens (the step is evaluated, then the session rewinds to {@code context});
 *   <li>{@code phase=prefill}: a prompt of {@value #TOKENS} tokens evaluated from position 0 in batches of
 *       {@value #TOKENS} (the GEMM path).
 * </ul>
 * Both phases do {@value #TOKENS} tokens per invocation.
 *
 * <p>Models are written once into {@code -Dwrinklefree.models=DIR} (default
 * {@code ${java.io.tmpdir}/wrinklefree-models}) as {@code <model>-<format>-<head>-s1.gguf} and reused.
 * The decoder's threads are the {@code threads} parameter (JMH itself runs one benchmark thread). A
 * {@code -jvmArgsAppend} given to JMH replaces the one of {@code @Fork}: repeat
 * {@code --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED} in it (the setup refuses to run
 * the decoder's scalar fallback by accident).
 * The bitnet.cpp comparison of issue 5 is {@code -p model=bitnet-700m -p head=f16}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UseParallelGC", "-Xmx2g"})
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 5, time = 10)
public class DecodeBenchmark {
    /** Tokens per invocation, and the prompt length of the prefill phase. */
    static final int TOKENS = 128;

    @Param({"bitnet-2b-4t"})
    public String model;

    @Param({"TQ2_0", "TQ1_0", "I2_S"})
    public String format;

    /** Type of the token embedding / LM head: q8_0, f16 or f32. */
    @Param({"q8_0"})
    public String head;

    /** Kernel backend, as {@code Kernels.byName} takes it (scalar, vector, native, backend:variant). */
    @Param({"vector", "native"})
    public String backend;

    /** Decoder threads, the caller included. */
    @Param({"1", "2"})
    public int threads;

    @Param({"decode", "prefill"})
    public String phase;

    /** Tokens in the KV cache when a decode step runs. */
    @Param({"512"})
    public int context;

    private BitNetModel loaded;
    private Decoder decoder;
    private Session session;
    private int[] prompt;
    private boolean prefill;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!Decoder.vectorized() && !"false".equals(System.getProperty("wrinklefree.decoder.vector"))) {
            // A -jvmArgsAppend on JMH's command line replaces @Fork's, dropping --add-modules: refuse to time
            // the scalar fallback by accident.
            throw new IllegalStateException("the forked JVM lacks --add-modules=jdk.incubator.vector (pass it in"
                    + " -jvmArgsAppend), or set -Dwrinklefree.decoder.vector=false to time the scalar path on purpose");
        }
        Path file = modelFile(model, format, head);
        loaded = BitNetModel.open(file);
        decoder = Decoder.create(loaded, new DecoderOptions(Kernels.byName(backend), threads, TOKENS));
        prefill = switch (phase) {
            case "decode" -> false;
            case "prefill" -> true;
            default -> throw new IllegalArgumentException("phase must be decode or prefill, got " + phase);
        };
        session = decoder.newSession(Math.max(context, TOKENS) + 1);
        prompt = new int[Math.max(context, TOKENS)];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 32 + (i * 7) % 95; // printable byte tokens of the synthetic vocabulary
        }
        if (!prefill) {
            session.prefill(prompt, 0, context);
        }
    }

    /** The synthetic model file for a spec, written once (atomically) and reused. */
    static Path modelFile(String model, String format, String head) throws IOException {
        String dir = System.getProperty("wrinklefree.models",
                Path.of(System.getProperty("java.io.tmpdir"), "wrinklefree-models").toString());
        TernaryFormat f = TernaryFormat.parse(format);
        GgmlType h = switch (head.toLowerCase(Locale.ROOT)) {
            case "f16" -> GgmlType.F16;
            case "q8_0" -> GgmlType.Q8_0;
            case "f32" -> GgmlType.F32;
            default -> throw new IllegalArgumentException("head must be f16, q8_0 or f32, got " + head);
        };
        Path file = Path.of(dir, model + "-" + f + "-" + h + "-s1.gguf");
        if (!Files.exists(file)) {
            SyntheticModel.write(new SyntheticModel.Spec(ModelPresets.byId(model), f, h, 1), file, null);
        }
        return file;
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public float tokens() {
        float sink = 0;
        if (prefill) {
            session.rewind(0);
            sink = session.prefill(prompt, 0, TOKENS)[0];
        } else {
            for (int i = 0; i < TOKENS; i++) {
                sink += session.decode(32 + next++ % 95)[0];
                session.rewind(context);
            }
        }
        return sink;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        decoder.close();
        loaded.close();
    }
}
