package dev.wrinklefree.cli;

import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.analysis.CostAnalysis;
import dev.wrinklefree.cost.io.AtomicFiles;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.record.MachineInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code wrinklefree bench}: runs a benchmark profile of the JMH jar ({@code dev.wrinklefree.bench.BenchProfile}, where
 * the quick and full profiles are defined), prints its kernel table, then prices the results like {@code report}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Runs the JMH benchmarks: the quick profile by default (a few minutes on 2 cores: memory roofline, scalar / Vector API / native kernels,",
                "FFM and dispatch overhead, one measured bitnet-2b-4t decode), --full for everything, or -- JMH_ARGS for any JMH command line.",
                "Keeps the JMH JSON in results/raw/jmh/<run-id>.json, prints the kernel table (also results/reports/<run-id>-kernels.md),",
                "then writes the priced records (results/raw/<run-id>.json) and the report (results/reports/<run-id>.md, .html, .csv) and prints a summary."})
final class BenchCommand implements Callable<Integer> {
    /** The profile runner inside the benchmarks jar. */
    static final String PROFILE_MAIN = "dev.wrinklefree.bench.BenchProfile";
    /** BenchProfile's exit code when some steps failed and the others' results were written. */
    static final int SOME_STEPS_FAILED = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--full", description = "Run the full profile (issue tables: every backend, native ISA path, batch, residency, thread count, layer shape; decode and prefill; about an hour on 2 cores).")
    boolean full;

    @Option(names = "--include", paramLabel = "REGEX", description = "Run only the profile's steps whose JMH command line contains a match (repeatable), e.g. --include native.")
    List<String> includes = new ArrayList<>();

    @Option(names = "--list", description = "Print the profile's JMH command lines and exit (runs nothing).")
    boolean list;

    @Parameters(paramLabel = "JMH_ARGS", description = "After --: run exactly this JMH command line instead of a profile, e.g. -- DecodeBenchmark -p model=bitnet-700m -f 1.")
    List<String> jmhArgs = new ArrayList<>();

    @Option(names = "--jar", paramLabel = "FILE", description = "The JMH benchmarks jar (default: jmh-benches/target/benchmarks.jar of the checkout).")
    Path jar;

    @Option(names = "--jmh-classpath", paramLabel = "CLASSPATH", hidden = true, description = "Run the profile runner on this class path instead of a jar (tests).")
    String jmhClasspath;

    @Option(names = "--ignore-jmh-lock", description = "Run even while another JMH run holds its lock file (timings will be disturbed by the other run).")
    boolean ignoreJmhLock;

    @Option(names = "--run-id", paramLabel = "ID", description = "Run id (default: UTC date-time and model).")
    String runId;

    @Option(names = "--results", paramLabel = "DIR", description = "Results folder holding raw/ and reports/ (default: results/ of the checkout).")
    Path results;

    @Mixin
    CostOptions cost = new CostOptions();

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!jmhArgs.isEmpty() && (full || !includes.isEmpty())) {
            throw new IllegalArgumentException("-- JMH_ARGS replaces the profile: it cannot be combined with --full or --include");
        }
        for (String re : includes) {
            CostOptions.checkRegex("--include", re);
        }
        if (list) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            List<String> cmd = command(profileArgs(List.of("--list")));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().transferTo(buf);
            int code = p.waitFor();
            String text = buf.toString(StandardCharsets.UTF_8);
            text.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).forEach(out::println);
            out.flush();
            if (code != 0) {
                throw new IllegalStateException("the profile runner failed with exit code " + code);
            }
            return 0;
        }
        var options = cost.toOptions();
        var catalog = cost.catalog();
        Instant now = Instant.now();
        String id = runId != null ? runId : Results.runId(now, options.models().getFirst());
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("--run-id must be letters, digits, '.', '_' or '-', got '" + id + "'");
        }
        Path dir = results != null ? results.toAbsolutePath() : Results.defaultDir();
        Path jmhDir = dir.resolve("raw").resolve("jmh");
        Path json = jmhDir.resolve(id + ".json");
        Path log = jmhDir.resolve(id + ".log");
        Path table = dir.resolve("reports").resolve(id + "-kernels.md");
        if (Files.exists(json) || Files.exists(dir.resolve("raw").resolve(id + ".json"))) {
            throw new IllegalArgumentException("run " + id + " already exists in " + Results.show(dir.resolve("raw")) + "; pass another --run-id");
        }
        Files.createDirectories(jmhDir);
        Files.createDirectories(table.getParent());
        Path tmpJson = AtomicFiles.createTempBeside(json);
        Path tmpLog = AtomicFiles.createTempBeside(log);
        Path tmpTable = AtomicFiles.createTempBeside(table);
        int code;
        try {
            List<String> cmd = command(profileArgs(List.of("--out", tmpJson.toString(), "--table", tmpTable.toString())));
            err.println("bench: running the " + (!jmhArgs.isEmpty() ? "given JMH command line" : full ? "full profile" : "quick profile")
                    + "; JMH log: " + Results.show(log));
            err.flush();
            String[] firstError = new String[1];
            code = runProfile(cmd, tmpLog, err, firstError);
            Files.move(tmpLog, log, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (code != 0 && code != SOME_STEPS_FAILED) {
                throw new IllegalStateException("benchmarks failed with exit code " + code + (firstError[0] == null ? "" : " (" + firstError[0] + ")")
                        + "; see " + Results.show(log));
            }
            if (Files.size(tmpJson) == 0) {
                throw new IllegalStateException("JMH wrote no results (did --include or the JMH arguments match any benchmark?); see " + Results.show(log));
            }
            Files.move(tmpJson, json, StandardCopyOption.ATOMIC_MOVE);
            if (Files.size(tmpTable) > 0) {
                Files.move(tmpTable, table, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmpJson);
            Files.deleteIfExists(tmpLog);
            Files.deleteIfExists(tmpTable);
        }
        if (Files.exists(table)) {
            out.println();
            out.print(Files.readString(table));
            out.flush();
        }
        var rs = JmhReader.read(json);
        if (rs.matching(options.decodeMapping()::matches).isEmpty() && rs.matching(options.kernelMapping()::matches).isEmpty()) {
            // A custom run of, say, the memory benchmarks: its table is the result; there is nothing to price.
            out.println("jmh:     " + Results.show(json));
            if (Files.exists(table)) {
                out.println("kernels: " + Results.show(table));
            }
            out.println("no cost report: none of these benchmarks gives tokens per second (no decode benchmark, no kernel benchmark)");
            out.flush();
            return code == SOME_STEPS_FAILED ? 1 : 0;
        }
        err.println("bench: JMH results in " + Results.show(json) + "; pricing ...");
        err.flush();
        Analysis a = CostAnalysis.run(rs, catalog, cost.calibrated(options, rs), id, now, MachineInfo.detect());
        ReportCommand.Written w = ReportCommand.write(a, dir);
        out.println("jmh:     " + Results.show(json));
        if (Files.exists(table)) {
            out.println("kernels: " + Results.show(table));
        }
        Summary.print(out, a, w.record(), w.reports());
        if (code == SOME_STEPS_FAILED) {
            err.println("wrinklefree bench: some benchmark steps failed (their lines start with '[profile] FAILED' in " + Results.show(log)
                    + "); the report covers the others");
            err.flush();
            return 1;
        }
        return 0;
    }

    /** The profile runner's arguments: the profile choice, then {@code extra}, then any JMH command line. */
    private List<String> profileArgs(List<String> extra) {
        List<String> args = new ArrayList<>();
        if (full) {
            args.add("--full");
        }
        for (String re : includes) {
            args.addAll(List.of("--include", re));
        }
        args.addAll(extra);
        if (!jmhArgs.isEmpty()) {
            args.add("--jmh");
            args.addAll(jmhArgs);
        }
        return args;
    }

    /** The command line that runs the profile runner with {@code args}. */
    List<String> command(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (ignoreJmhLock) {
            cmd.add("-Djmh.ignoreLock=true");
        }
        if (jmhClasspath != null) {
            cmd.addAll(List.of("-cp", jmhClasspath));
        } else {
            Path j = jar != null ? jar : Results.defaultDir().getParent().resolve("jmh-benches/target/benchmarks.jar");
            if (!Files.isRegularFile(j)) {
                throw new IllegalArgumentException("no JMH benchmarks jar at " + Results.show(j) + "; build it with ./mvnw -pl jmh-benches -am package -DskipTests (scripts/bench does), or pass --jar");
            }
            cmd.addAll(List.of("-cp", j.toString()));
        }
        cmd.add(PROFILE_MAIN);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs the profile, copying its whole output to {@code log} and its progress lines to {@code err}; the first
     * error line goes to {@code firstError[0]}.
     */
    private static int runProfile(List<String> cmd, Path log, PrintWriter err, String[] firstError) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            String previous = "";
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
                if (line.startsWith("[profile]") || line.startsWith("# Benchmark:") || line.startsWith("# Parameters:")) {
                    err.println("  " + line);
                    err.flush();
                } else if (firstError[0] == null && previous.startsWith("Error parsing command line")) {
                    firstError[0] = "JMH options: " + line.strip();
                } else if (firstError[0] == null && line.startsWith("BenchProfile: ")) {
                    firstError[0] = line.substring("BenchProfile: ".length()).strip();
                } else if (firstError[0] == null && (line.startsWith("ERROR") || line.startsWith("<failure>") || line.startsWith("No matching benchmarks"))) {
                    firstError[0] = line.replaceFirst("^ERROR: (org\\.openjdk\\.jmh\\.runner\\.RunnerException: )?(ERROR: )?", "").strip();
                }
                previous = line;
            }
        } catch (UncheckedIOException e) {
            p.destroy();
            throw e;
        }
        return p.waitFor();
    }
}
