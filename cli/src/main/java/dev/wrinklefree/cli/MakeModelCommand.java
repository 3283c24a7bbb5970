package dev.wrinklefree.cli;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.ModelConfig;
import dev.wrinklefree.runtime.model.ModelPresets;
import dev.wrinklefree.runtime.model.SyntheticModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code wrinklefree make-model}: writes a synthetic model of a real shape as GGUF. */
@Command(name = "make-model",
        mixinStandardHelpOptions = true,
        description = {
                "Writes a GGUF model with the real shape of a known model and random ternary weights (deterministic"
                        + " seed), loadable here and by llama.cpp / bitnet.cpp. Its byte-level vocabulary lets text go in"
                        + " and out; the output means nothing, the speed and memory are the real model's."},
        sortOptions = false)
public final class MakeModelCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "ID", completionCandidates = ModelIds.class,
            description = "Model shape: ${COMPLETION-CANDIDATES}.")
    String model;

    @Option(names = "--format", defaultValue = "TQ2_0", paramLabel = "FMT",
            description = "Ternary format of the body: TQ2_0, TQ1_0 or I2_S (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--head", defaultValue = "f16", paramLabel = "TYPE",
            description = "Type of the token embedding / LM head: f16, q8_0 or f32 (default ${DEFAULT-VALUE}).")
    String head;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The GGUF file to write.")
    Path output;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layers", paramLabel = "N", description = "Override the number of layers (for quick experiments).")
    Integer layers;

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    /** Known model ids, for help and completion. */
    static final class ModelIds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelPresets.ids().iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        ModelConfig cfg = ModelPresets.byId(model);
        if (layers != null) {
            cfg = new ModelConfig(cfg.name() + "-" + layers + "l", cfg.architecture(), cfg.hiddenSize(), cfg.ffnSize(),
                    layers, cfg.heads(), cfg.kvHeads(), cfg.headDim(), cfg.ropeDims(), cfg.vocabSize(), cfg.contextLength(),
                    cfg.ropeTheta(), cfg.ropeFreqScale(), cfg.rmsEps());
        }
        TernaryFormat fmt = TernaryFormat.parse(format);
        GgmlType headType = switch (head.toLowerCase(Locale.ROOT)) {
            case "f16" -> GgmlType.F16;
            case "q8_0", "q8" -> GgmlType.Q8_0;
            case "f32" -> GgmlType.F32;
            default -> throw new IllegalArgumentException("unknown head type '" + head + "' (expected f16, q8_0 or f32)");
        };
        if (Files.exists(output) && !force) {
            throw new IllegalArgumentException(output + " exists (use --force to overwrite)");
        }
        SyntheticModel.Spec s = new SyntheticModel.Spec(cfg, fmt, headType, seed);
        long total = SyntheticModel.tensorBytes(s);
        err.printf(Locale.ROOT, "writing %s: %s, %s body, %s head, seed %d, %.1f MB of tensors%n", output, cfg.name(), fmt,
                headType, seed, total / 1e6);
        long t0 = System.nanoTime();
        long[] lastPrint = {0};
        SyntheticModel.write(s, output, (done, all, tensor) -> {
            long now = System.nanoTime();
            if (now - lastPrint[0] > 250_000_000L || done == all) {
                lastPrint[0] = now;
                double secs = (now - t0) / 1e9;
                err.printf(Locale.ROOT, "\r  %5.1f %%  %8.1f MB  %6.1f MB/s  %-32s", 100.0 * done / all, done / 1e6,
                        done / 1e6 / Math.max(secs, 1e-9), tensor);
                err.flush();
            }
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        err.println();
        out.printf(Locale.ROOT, "wrote %s (%d bytes) in %.1f s%n", output, Files.size(output), secs);
        return 0;
    }
}
