package dev.wrinklefree.cli;

import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.analysis.CostAnalysis;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.record.MachineInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
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

/** {@code wrinklefree bench}: runs the JMH suite, then prices it like {@code report}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Runs the JMH benchmarks (quick profile by default, --full for the benchmarks' own settings), keeps the JMH JSON in results/raw/jmh/<run-id>.json,",
                "then writes the priced records (results/raw/<run-id>.json) and the report (results/reports/<run-id>.md, .html, .csv) and prints a summary."})
final class BenchCommand implements Callable<Integer> {
    /** JMH options of the quick profile: one fork, short iterations; a few minutes on 2 cores for a small include set. */
    static final List<String> QUICK = List.of("-f", "1", "-wi", "1", "-i", "3", "-w", "1s", "-r", "1s");

    @Spec
    CommandSpec spec;

    @Option(names = "--full", description = "Use the benchmarks' own fork, warmup and iteration settings instead of the quick profile.")
    boolean full;

    @Option(names = "--include", paramLabel = "REGEX", description = "JMH include pattern (repeatable; default: every benchmark in the jar).")
    List<String> includes = new ArrayList<>();

    @Option(names = "--jmh-arg", paramLabel = "ARG", description = "Extra argument passed to JMH as is (repeatable), e.g. --jmh-arg=-p --jmh-arg=threads=1.")
    List<String> jmhArgs = new ArrayList<>();

    @Option(names = "--jar", paramLabel = "FILE", description = "The JMH benchmarks jar (default: jmh-benches/target/benchmarks.jar of the checkout).")
    Path jar;

    @Option(names = "--jmh-classpath", paramLabel = "CLASSPATH", hidden = true, description = "Run org.openjdk.jmh.Main on this class path instead of a jar (tests).")
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
        if (Files.exists(json) || Files.exists(dir.resolve("raw").resolve(id + ".json"))) {
            throw new IllegalArgumentException("run " + id + " already exists in " + Results.show(dir.resolve("raw")) + "; pass another --run-id");
        }
        Files.createDirectories(jmhDir);
        Path tmpJson = Files.createTempFile(jmhDir, "." + id + ".", ".json.tmp");
        Path tmpLog = Files.createTempFile(jmhDir, "." + id + ".", ".log.tmp");
        try {
            List<String> cmd = command(tmpJson);
            err.println("bench: running JMH (" + (full ? "full" : "quick") + " profile); log: " + Results.show(jmhDir.resolve(id + ".log")));
            err.flush();
            String[] firstError = new String[1];
            int code = runJmh(cmd, tmpLog, err, firstError);
            Files.move(tmpLog, jmhDir.resolve(id + ".log"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (code != 0) {
                throw new IllegalStateException("JMH failed with exit code " + code + (firstError[0] == null ? "" : " (" + firstError[0] + ")")
                        + "; see " + Results.show(jmhDir.resolve(id + ".log")));
            }
            if (Files.size(tmpJson) == 0) {
                throw new IllegalStateException("JMH wrote no results (did --include match any benchmark?); see " + Results.show(jmhDir.resolve(id + ".log")));
            }
            Files.move(tmpJson, json, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmpJson);
            Files.deleteIfExists(tmpLog);
        }
        err.println("bench: JMH results in " + Results.show(json) + "; pricing ...");
        err.flush();
        Analysis a = CostAnalysis.run(JmhReader.read(json), catalog, options, id, now, MachineInfo.detect());
        ReportCommand.Written w = ReportCommand.write(a, dir);
        out.println("jmh:     " + Results.show(json));
        Summary.print(out, a, w.record(), w.reports());
        return 0;
    }

    List<String> command(Path jsonOut) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (ignoreJmhLock) {
            cmd.add("-Djmh.ignoreLock=true");
        }
        if (jmhClasspath != null) {
            cmd.addAll(List.of("-cp", jmhClasspath, "org.openjdk.jmh.Main"));
        } else {
            Path j = jar != null ? jar : Results.defaultDir().getParent().resolve("jmh-benches/target/benchmarks.jar");
            if (!Files.isRegularFile(j)) {
                throw new IllegalArgumentException("no JMH benchmarks jar at " + Results.show(j) + "; build it with ./mvnw -pl jmh-benches -am package -DskipTests (scripts/bench does), or pass --jar");
            }
            cmd.addAll(List.of("-jar", j.toString()));
        }
        cmd.addAll(includes);
        if (!full) {
            // JMH refuses an option given twice: a --jmh-arg of the same name replaces the quick profile's.
            for (int i = 0; i < QUICK.size(); i += 2) {
                if (!jmhArgs.contains(QUICK.get(i))) {
                    cmd.addAll(QUICK.subList(i, i + 2));
                }
            }
        }
        cmd.addAll(jmhArgs);
        cmd.addAll(List.of("-rf", "json", "-rff", jsonOut.toString()));
        return cmd;
    }

    /**
     * Runs JMH, copying its whole output to {@code log} and its progress lines to {@code err}; the first
     * error line JMH prints goes to {@code firstError[0]}.
     */
    private static int runJmh(List<String> cmd, Path log, PrintWriter err, String[] firstError) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            String previous = "";
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
                if (line.startsWith("# Run progress") || line.startsWith("# Benchmark:") || line.startsWith("# Parameters:")) {
                    err.println("  " + line);
                    err.flush();
                } else if (firstError[0] == null && previous.startsWith("Error parsing command line")) {
                    firstError[0] = "JMH options: " + line.strip();
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
