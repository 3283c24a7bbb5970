package dev.wrinklefree.cli;

import dev.wrinklefree.kernels.Kernels;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.runtime.decoder.Decoder;
import dev.wrinklefree.runtime.decoder.DecoderOptions;
import dev.wrinklefree.runtime.decoder.Session;
import dev.wrinklefree.runtime.generate.GenerationStats;
import dev.wrinklefree.runtime.generate.Generator;
import dev.wrinklefree.runtime.generate.Sampler;
import dev.wrinklefree.runtime.generate.Utf8Stream;
import dev.wrinklefree.runtime.model.BitNetModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code wrinklefree generate}: runs a GGUF model on a prompt, streams the text, reports speed and memory. */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generates text with a BitNet GGUF model (bitnet, bitnet-b1.58, or llama architecture with ternary"
                + " weights) and reports prompt and generation speed, time to first token, per-token latency and peak"
                + " memory. Text goes to stdout, the report to stderr.",
        sortOptions = false)
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model.")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = {"-n", "--tokens"}, defaultValue = "64", paramLabel = "N",
            description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = {"-t", "--threads"}, paramLabel = "T",
            description = "Threads per step (default: the available processors).")
    Integer threads;

    @Option(names = {"-b", "--backend"}, paramLabel = "B",
            description = "Kernel backend: scalar, vector, native, optionally backend:variant (default: the best usable).")
    String backend;

    @Option(names = "--temperature", defaultValue = "0", description = "Sampling temperature; 0 = greedy (default).")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", defaultValue = "1", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ctx", paramLabel = "N", description = "Context length (default: prompt plus tokens).")
    Integer ctx;

    @Option(names = "--batch", defaultValue = "" + DecoderOptions.DEFAULT_BATCH, paramLabel = "N",
            description = "Prompt tokens per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--ignore-eos", description = "Keep generating after an end-of-generation token.")
    boolean ignoreEos;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model file not found: " + model);
        }
        if (tokens < 0) {
            throw new IllegalArgumentException("--tokens must be >= 0");
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TernaryKernel kernel = backend != null ? Kernels.byName(backend) : Kernels.preferred();
        long t0 = System.nanoTime();
        try (BitNetModel m = BitNetModel.open(model);
             Decoder dec = Decoder.create(m, new DecoderOptions(kernel, t, batch))) {
            int[] ids = m.tokenizer().encode(prompt);
            if (ids.length == 0) {
                throw new IllegalArgumentException("the prompt gives no tokens");
            }
            int context = ctx != null ? ctx : Math.min(m.config().contextLength(), ids.length + Math.max(tokens, 1));
            Session session = dec.newSession(context);
            long loadNanos = System.nanoTime() - t0;
            err.printf(Locale.ROOT, "%s%nloaded in %.0f ms; prompt %d tokens, context %d%n", dec.describe(), loadNanos / 1e6,
                    ids.length, context);
            err.flush();
            Sampler sampler = temperature == 0 ? Sampler.greedy() : Sampler.of(temperature, topP, seed);
            Utf8Stream text = new Utf8Stream();
            out.print(prompt);
            out.flush();
            Generator.Result r = new Generator(session, m.tokenizer(), sampler)
                    .stopAtEndOfGeneration(!ignoreEos)
                    .generate(ids, tokens, (tok, i) -> {
                        String s = text.push(m.tokenizer().piece(tok, false));
                        if (!s.isEmpty()) {
                            out.print(s);
                            out.flush();
                        }
                    });
            out.println(text.flush());
            out.flush();
            report(err, r);
        }
        return 0;
    }

    private static void report(PrintWriter err, Generator.Result r) {
        GenerationStats s = r.stats();
        err.println();
        err.printf(Locale.ROOT, "prompt:            %d tokens in %.1f ms = %.2f tokens/s%n", s.promptTokens(),
                s.prefillNanos() / 1e6, s.promptTokensPerSecond());
        err.printf(Locale.ROOT, "generated:         %d tokens (%d decode steps in %.1f ms) = %.2f tokens/s; stopped: %s%n",
                s.generatedTokens(), s.decodeSteps(), s.decodeNanos() / 1e6, s.generatedTokensPerSecond(),
                r.stopped().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        err.printf(Locale.ROOT, "time to first token: %.1f ms%n", s.timeToFirstTokenMillis());
        err.printf(Locale.ROOT, "per-token latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", s.stepLatencyMillis(50),
                s.stepLatencyMillis(99), s.stepLatencyMillis(100));
        err.printf(Locale.ROOT, "peak memory:       RSS %s (mapped weights included), heap %.1f MB%n", peakRss(),
                peakHeapBytes() / 1e6);
        err.flush();
    }

    /** Peak resident set size from /proc (Linux), or "n/a". */
    static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f MB", kb * 1024 / 1e6);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: fall through
        }
        return "n/a";
    }

    /** Sum of the peak usage of the heap memory pools. */
    static long peakHeapBytes() {
        long n = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                n += p.getPeakUsage().getUsed();
            }
        }
        return n;
    }
}
