package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.KernelProvider;
import dev.wrinklefree.kernels.Kernels;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The benchmark profiles behind {@code wrinklefree bench} and {@code scripts/bench}, defined once here. A
 * profile is a list of {@link Step}s, each one JMH command line (one benchmark, its parameters, its
 * iteration settings), run one after the other in this JVM; every result lands in one JMH JSON file and
 * {@link BenchTable} prints the kernel table.
 *
 * <ul>
 *   <li>{@code quick} (default, about 4-5 minutes on 2 cores): the memory roofline (Java and native read),
 *       the scalar oracle, the Vector API and the native kernels on 2560x2560 for the three formats (batch 1
 *       and 32 hot on 1 thread, batch 1 cold on 2), the FFM overhead, dispatch overhead, and one measured
 *       decode of a synthetic bitnet-2b-4t (I2_S body, q8_0 head, the preferred backend, 2 threads, context
 *       512), which the cost report prices as measured tokens/s.
 *   <li>{@code full} (about an hour): issue 2's and 3's tables (formats x backends, every native ISA path
 *       and Vector API strategy, batch 1 / 32 / 128, hot / cold, 1 and 2 threads, cold GEMVs alternated with
 *       the memory read for the cold bars), every bitnet-2b-4t
 *       layer shape, memory read and copy, FFM and dispatch overhead, activation quantization, decode
 *       plus prefill of bitnet-2b-4t (three formats) and bitnet-700m (bitnet.cpp's comparison model), and
 *       the time to open a 1.2 GB model (five cold JVMs per backend).
 *   <li>{@code --jmh ARGS...}: one step with exactly these JMH arguments (any subset, same output).
 * </ul>
 *
 * <p>Backends that cannot run here (no native library, no Vector API module) are left out with one line
 * saying why. A step that fails is reported and the others still run; the exit code is then 3 and the
 * JSON holds what succeeded.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * dev.wrinklefree.bench.BenchProfile [--full] [--include REGEX]... [--list] [--out FILE.json] [--table FILE.md]
 * [--jmh ARGS...]}. Default output: {@code results/raw/jmh/<UTC timestamp>-<profile>.json}.
 * Synthetic decode models are written once into {@code ${java.io.tmpdir}/wrinklefree-models} (see
 * {@link DecodeBenchmark}): 0.9 GB for the quick profile's, about 3.5 GB for the full profile's.
 */
public final class BenchProfile {
    /** Exit code when some steps failed but the others' results were written. */
    public static final int SOME_STEPS_FAILED = 3;

    /** The 2560x2560 matrix: bitnet-2b-4t's q and o projections, the smallest real GEMV. */
    static final String SQUARE = "2560x2560";
    static final String FORMATS = "TQ2_0,TQ1_0,I2_S";

    private BenchProfile() {
    }

    /**
     * One JMH session: a benchmark (JMH include regex), its parameters and iteration settings.
     *
     * @param benchmark include regex, e.g. {@code TernaryMatmulBenchmark\.matmul$}
     * @param params parameter name to comma-separated values
     * @param forksPerConfig JVMs per parameter combination (1, or more for single-shot cold starts)
     * @param warmups warm-up iterations
     * @param iterations measurement iterations
     * @param seconds seconds per warm-up and measurement iteration
     * @param gc whether to add JMH's {@code gc} profiler (allocation per op)
     */
    public record Step(String benchmark, Map<String, String> params, int forksPerConfig, int warmups, int iterations, int seconds, boolean gc) {
        public Step {
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /** The JMH command line of this step (without result-file options). */
        public List<String> jmhArgs() {
            List<String> a = new ArrayList<>(List.of(benchmark));
            params.forEach((k, v) -> a.addAll(List.of("-p", k + "=" + v)));
            a.addAll(List.of("-f", String.valueOf(forksPerConfig), "-wi", String.valueOf(warmups), "-w", seconds + "s", "-i", String.valueOf(iterations),
                    "-r", seconds + "s", "-foe", "true"));
            if (gc) {
                a.addAll(List.of("-prof", "gc"));
            }
            return a;
        }

        /** JVMs this step starts: the product of its parameters' value counts times {@link #forksPerConfig()}. */
        public int forks() {
            return forksPerConfig * params.values().stream().mapToInt(v -> v.split(",").length).reduce(1, (x, y) -> x * y);
        }
    }

    /** Builds steps with a fixed iteration setting. */
    private static final class Steps {
        final List<Step> list = new ArrayList<>();
        final int warmups;
        final int iterations;
        final int seconds;

        Steps(int warmups, int iterations, int seconds) {
            this.warmups = warmups;
            this.iterations = iterations;
            this.seconds = seconds;
        }

        Steps add(String benchmark, boolean gc, String... kv) {
            return add(benchmark, warmups, iterations, seconds, gc, kv);
        }

        Steps add(String benchmark, int wi, int i, int s, boolean gc, String... kv) {
            Map<String, String> p = new LinkedHashMap<>();
            for (int j = 0; j < kv.length; j += 2) {
                p.put(kv[j], kv[j + 1]);
            }
            list.add(new Step(benchmark, p, 1, wi, i, s, gc));
            return this;
        }

        /** TernaryMatmulBenchmark on {@code shape} for the given backends (comma-separated), with -prof gc. */
        Steps matmul(String backends, String formats, String shape, String batches, String threads, String residency) {
            if (backends.isEmpty()) {
                return this;
            }
            return add("TernaryMatmulBenchmark\\.matmul$", true, "backend", backends, "format", formats, "shape", shape,
                    "batch", batches, "threads", threads, "residency", residency);
        }
    }

    /** What this machine can run: usable backends (scalar, vector, native) and native ISA paths. */
    record Machine(List<String> backends, List<String> nativeVariants, List<String> vectorVariants, List<String> skipped) {
        static Machine detect() {
            List<String> backends = new ArrayList<>();
            List<String> nat = new ArrayList<>();
            List<String> vec = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (KernelProvider p : Kernels.providers()) {
                Optional<String> why = p.unavailableReason();
                if (why.isPresent()) {
                    skipped.add("backend '" + p.name() + "' left out: " + why.get());
                    continue;
                }
                backends.add(p.name());
                List<String> into = p.name().equals("native") ? nat : p.name().equals("vector") ? vec : new ArrayList<>();
                p.variants().forEach(v -> into.add(p.name() + ":" + v));
            }
            return new Machine(backends, nat, vec, skipped);
        }

        boolean has(String backend) {
            return backends.contains(backend);
        }

        /** The usable ones among {@code wanted}, comma-separated, in the given order. */
        String only(String... wanted) {
            return String.join(",", Arrays.stream(wanted).filter(this::has).toList());
        }

        /** The backend the decoder would choose: native when usable, else vector, else scalar. */
        String preferred() {
            return has("native") ? "native" : has("vector") ? "vector" : "scalar";
        }
    }

    /** The quick profile: a few minutes on 2 cores (see the class comment). */
    static List<Step> quick(Machine m) {
        Steps s = new Steps(1, 3, 1);
        s.add("MemoryBandwidthBenchmark\\.read$", false, "threads", "1,2");
        if (m.has("native")) {
            s.add("NativeMemoryReadBenchmark\\.read$", false, "threads", "1,2");
        }
        // The scalar oracle: the 8x baseline of the Vector API kernels.
        s.matmul(m.only("scalar"), FORMATS, SQUARE, "1", "1", "hot");
        String fast = m.only("vector", "native");
        s.matmul(fast, FORMATS, SQUARE, "1,32", "1", "hot");
        s.matmul(fast, FORMATS, SQUARE, "1", "2", "cold");
        if (m.has("native")) {
            s.add("FfmOverheadBenchmark\\.", false, "backend", "native", "format", "TQ2_0");
        }
        s.add("DispatchOverheadBenchmark\\.", false, "threads", "2");
        // One DecodeBenchmark op is 128 tokens (about 5 s here), so each iteration is one invocation.
        s.add("DecodeBenchmark\\.tokens$", 1, 3, 1, false, "model", "bitnet-2b-4t", "format", "I2_S", "head", "q8_0",
                "backend", m.preferred(), "threads", "2", "phase", "decode", "context", "512");
        return s.list;
    }

    /** The full profile: issue 2's and 3's tables, every layer shape, decode and prefill (see the class comment). */
    static List<Step> full(Machine m) {
        Steps s = new Steps(2, 5, 1);
        s.add("MemoryBandwidthBenchmark\\.", false, "threads", "1,2");
        if (m.has("native")) {
            s.add("NativeMemoryReadBenchmark\\.read$", false, "threads", "1,2");
        }
        String all = m.only("scalar", "vector", "native");
        String fast = m.only("vector", "native");
        // format x backend x batch 1 / 32 x hot / cold x 1 / 2 threads (issues 2 and 3).
        s.matmul(all, FORMATS, SQUARE, "1,32", "1,2", "hot,cold");
        s.matmul(fast, FORMATS, SQUARE, "128", "1", "hot");
        // The cold bars' fractions: cold GEMVs and the memory read alternated in one JVM (2 s iterations of ~10 ms
        // blocks each), because the read alone moves by a third within minutes on a shared machine.
        s.add("ColdRooflineBenchmark\\.pass$", 2, 5, 2, false, "backend", fast, "format", FORMATS, "threads", "2",
                "read", m.has("native") ? "native" : "java");
        // Every native ISA path and Vector API strategy side by side (compute, so hot on one thread).
        s.matmul(String.join(",", m.nativeVariants()), FORMATS, SQUARE, "1,32", "1", "hot");
        s.matmul(String.join(",", m.vectorVariants()), FORMATS, SQUARE, "1,32", "1", "hot");
        // The other bitnet-2b-4t shapes, streamed from memory as in decode: the cost model's kernel projection.
        s.matmul(fast, FORMATS, "640x2560,6912x2560,2560x6912", "1", "1,2", "cold");
        if (m.has("native")) {
            s.add("FfmOverheadBenchmark\\.", false, "backend", "native", "format", "TQ2_0,I2_S");
        }
        s.add("DispatchOverheadBenchmark\\.", false, "threads", "1,2");
        s.add("ActivationQuantizationBenchmark\\.", false, "cols", "2560,6912");
        String decoders = m.only("vector", "native");
        s.add("DecodeBenchmark\\.tokens$", 1, 3, 5, false, "model", "bitnet-2b-4t", "format", FORMATS, "head", "q8_0",
                "backend", decoders, "threads", "1,2", "phase", "decode,prefill", "context", "512");
        // Time to first forward pass readiness (issue 5: under 1 s for a 1 GB model): single shot, a cold JVM each.
        Map<String, String> open = new LinkedHashMap<>();
        open.put("backend", decoders);
        s.list.add(new Step("ModelOpenBenchmark\\.", open, 5, 0, 1, 1, false));
        // bitnet.cpp's published comparison (issue 5): bitnet-700m, f16 head, context 128.
        s.add("DecodeBenchmark\\.tokens$", 1, 3, 5, false, "model", "bitnet-700m", "format", "TQ2_0,I2_S", "head", "f16",
                "backend", decoders, "threads", "1,2", "phase", "decode,prefill", "context", "128");
        return s.list;
    }

    /** The steps whose benchmark regex or parameters mention one of {@code includes} (all when empty). */
    static List<Step> filter(List<Step> steps, List<Pattern> includes) {
        if (includes.isEmpty()) {
            return steps;
        }
        return steps.stream().filter(st -> includes.stream().anyMatch(p -> p.matcher(String.join(" ", st.jmhArgs())).find())).toList();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the command line; returns the exit code (0, 2 for usage errors, 1 when nothing ran, 3 when some steps failed). */
    static int run(String[] args, PrintStream out) {
        boolean full = false;
        boolean list = false;
        List<Pattern> includes = new ArrayList<>();
        Path json = null;
        Path table = null;
        List<String> jmh = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--full" -> full = true;
                    case "--list" -> list = true;
                    case "--include" -> includes.add(Pattern.compile(args[++i]));
                    case "--out" -> json = Path.of(args[++i]);
                    case "--table" -> table = Path.of(args[++i]);
                    case "--jmh" -> {
                        jmh = List.of(args).subList(i + 1, args.length);
                        i = args.length;
                    }
                    default -> {
                        out.println("BenchProfile: unknown argument '" + a + "'; usage: BenchProfile [--full] [--include REGEX]... [--list] [--out FILE.json] [--table FILE.md] [--jmh ARGS...]");
                        return 2;
                    }
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                out.println("BenchProfile: " + a + " needs a value");
                return 2;
            }
        }
        String name = jmh != null ? "custom" : full ? "full" : "quick";
        List<Step> steps;
        List<List<String>> commands = new ArrayList<>();
        if (jmh != null) {
            if (jmh.isEmpty()) {
                out.println("BenchProfile: --jmh needs JMH arguments (e.g. --jmh DecodeBenchmark -p model=bitnet-700m)");
                return 2;
            }
            commands.add(new ArrayList<>(jmh));
        } else {
            Machine m = Machine.detect();
            m.skipped().forEach(why -> out.println("[profile] " + why));
            steps = filter(full ? full(m) : quick(m), includes);
            if (steps.isEmpty()) {
                out.println("BenchProfile: no step of the " + name + " profile matches " + includes);
                return 2;
            }
            steps.forEach(st -> commands.add(st.jmhArgs()));
            out.printf(Locale.ROOT, "[profile] %s: %d steps, %d forks%n", name, steps.size(), steps.stream().mapToInt(Step::forks).sum());
        }
        if (list) {
            commands.forEach(c -> out.println("java -jar jmh-benches/target/benchmarks.jar " + shellWords(c)));
            return 0;
        }
        if (json == null) {
            String stamp = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'"));
            json = Path.of("results", "raw", "jmh", stamp + "-" + name + ".json");
        }
        List<RunResult> all = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < commands.size(); i++) {
            List<String> c = commands.get(i);
            long s = (System.nanoTime() - start) / 1_000_000_000L;
            out.printf(Locale.ROOT, "[profile] step %d/%d (%d:%02d elapsed): %s%n", i + 1, commands.size(), s / 60, s % 60, shellWords(c));
            out.flush();
            try {
                all.addAll(new Runner(new CommandLineOptions(c.toArray(String[]::new))).run());
            } catch (CommandLineOptionException e) {
                out.println("BenchProfile: bad JMH arguments: " + e.getMessage());
                return 2;
            } catch (RunnerException | RuntimeException e) {
                String why = e instanceof NoBenchmarksException ? "no benchmark matches " + c.getFirst()
                        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                failed.add("step " + (i + 1) + " (" + String.join(" ", c) + "): " + why);
                out.println("[profile] step " + (i + 1) + " FAILED: " + why);
            }
        }
        if (all.isEmpty()) {
            out.println("BenchProfile: no results" + (failed.isEmpty() ? " (no benchmark matched)" : "; failed: " + failed));
            return 1;
        }
        try {
            writeAtomically(json, ps -> ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(all));
            BenchTable t = BenchTable.read(json);
            if (table != null) {
                writeAtomically(table, t::print);
            }
            long s = (System.nanoTime() - start) / 1_000_000_000L;
            out.printf(Locale.ROOT, "%n[profile] %s profile done in %d:%02d; JMH results: %s%n%n", name, s / 60, s % 60, json);
            t.print(out);
        } catch (IOException | RuntimeException e) {
            out.println("BenchProfile: cannot write results: " + e.getMessage());
            return 1;
        }
        failed.forEach(f -> out.println("[profile] FAILED " + f));
        return failed.isEmpty() ? 0 : SOME_STEPS_FAILED;
    }

    /** The arguments as one shell command line: arguments with shell metacharacters in single quotes. */
    static String shellWords(List<String> args) {
        return String.join(" ", args.stream().map(a -> a.matches("[A-Za-z0-9_.,=:/+-]+") ? a : "'" + a.replace("'", "'\\''") + "'").toList());
    }

    private interface Writer {
        void write(PrintStream ps) throws IOException;
    }

    /**
     * Writes to a temporary file beside {@code file}, then moves it into place. The temporary file is made with
     * {@code createFile}, so the result gets the umask's permissions (createTempFile's 0600 would stay on it).
     */
    private static void writeAtomically(Path file, Writer w) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createFile(dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp"));
        try {
            try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp), false, StandardCharsets.UTF_8)) {
                w.write(ps);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
