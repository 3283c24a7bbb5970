package dev.wrinklefree.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The quick kernel profile behind {@code scripts/bench}: a few minutes on 2 cores. Runs, in one JMH
 * session each, the memory roofline; the default Vector API kernel and the scalar oracle on 2560x2560
 * for the three formats, batch 1 and 32, hot on 1 thread and cold on 2 (vector also batch 1 hot on 2
 * threads and cold on 1);
 * activation quantization and dispatch overhead (about 38 forks, 5 minutes). Writes all results to one JMH JSON file
 * ({@code <dir>/<UTC timestamp>-quick.json}, written to a temporary file and moved into place) and
 * prints {@link BenchTable}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.wrinklefree.bench.QuickProfile [output-dir]}
 * (default {@code results/raw/jmh}). JVM flags for the forks come from each benchmark's {@code @Fork}.
 */
public final class QuickProfile {
    private QuickProfile() {
    }

    private static ChainedOptionsBuilder base(String benchmark, int warmups, int iterations) {
        return new OptionsBuilder()
                .include("dev\\.wrinklefree\\.bench\\." + benchmark)
                .forks(1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true);
    }

    private static ChainedOptionsBuilder matmul(String backend, String formats, String batches, String threads,
                                                String residency, int warmups, int iterations) {
        return base("TernaryMatmulBenchmark\\.", warmups, iterations).addProfiler("gc")
                .param("backend", backend).param("format", formats.split(",")).param("shape", "2560x2560")
                .param("batch", batches.split(",")).param("threads", threads).param("residency", residency);
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "results/raw/jmh");
        List<ChainedOptionsBuilder> runs = new ArrayList<>();
        runs.add(base("MemoryBandwidthBenchmark\\.", 2, 3).param("threads", "1", "2"));
        String formats = "TQ2_0,TQ1_0,I2_S";
        // The scalar oracle: the 8x baseline, and the other cells of the format x backend x batch x residency table.
        runs.add(matmul("scalar", formats, "1,32", "1", "hot", 2, 2));
        runs.add(matmul("scalar", formats, "1,32", "2", "cold", 2, 2));
        // The default Vector API kernel (TernaryMatmulBenchmark compiles it on a small matrix during setup).
        runs.add(matmul("vector", formats, "1,32", "1", "hot", 2, 3));
        runs.add(matmul("vector", formats, "1", "2", "hot", 2, 3));
        runs.add(matmul("vector", formats, "1", "1", "cold", 2, 3));
        runs.add(matmul("vector", formats, "1,32", "2", "cold", 2, 3));
        runs.add(base("ActivationQuantizationBenchmark\\.", 2, 3).param("cols", "2560"));
        runs.add(base("DispatchOverheadBenchmark\\.", 3, 3).param("threads", "1", "2"));

        List<RunResult> all = new ArrayList<>();
        for (ChainedOptionsBuilder o : runs) {
            Collection<RunResult> r = new Runner(o.build()).run();
            all.addAll(r);
        }
        Files.createDirectories(dir);
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'"));
        Path out = dir.resolve(stamp + "-quick.json");
        Path tmp = Files.createTempFile(dir, "." + stamp, ".json.tmp");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp), false, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(all);
        }
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println();
        System.out.println("JMH results: " + out);
        System.out.println();
        BenchTable.read(out).print(System.out);
    }
}
