package dev.wrinklefree.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void runsJmhThenPrices() throws Exception {
        Path results = tmp.resolve("results");
        CliTest.Run r = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"),
                "--include", "fixture.DecodeBenchmark", "--jmh-arg=-wi", "--jmh-arg=1", "--jmh-arg=-i", "--jmh-arg=2",
                "--jmh-arg=-w", "--jmh-arg=100ms", "--jmh-arg=-r", "--jmh-arg=100ms",
                "--results", results.toString(), "--run-id", "b1", "--measured-on", "cpu-32", "--ignore-jmh-lock");
        Path log = results.resolve("raw/jmh/b1.log");
        assertEquals(0, r.code(), r.out() + r.err() + (Files.exists(log) ? Files.readString(log) : ""));
        assertTrue(r.err().contains("# Benchmark: dev.wrinklefree.cli.fixture.DecodeBenchmark.token"), "progress: " + r.err());
        assertTrue(Files.size(results.resolve("raw/jmh/b1.json")) > 100);
        assertTrue(Files.exists(results.resolve("raw/jmh/b1.log")));
        assertTrue(Files.exists(results.resolve("raw/b1.json")));
        assertTrue(Files.exists(results.resolve("reports/b1.html")));
        assertTrue(r.out().contains("measured-decode (measured)"), r.out());
        try (var s = Files.list(results.resolve("raw/jmh"))) {
            assertEquals(2, s.count(), "no temporary files left");
        }
    }

    @Test
    void missingJarIsOneLine() {
        CliTest.Run r = CliTest.run("bench", "--jar", tmp.resolve("none.jar").toString(), "--results", tmp.toString());
        CliTest.assertOneLineError(r, "no JMH benchmarks jar at");
    }

    @Test
    void jmhFailureIsOneLineAndLeavesOnlyTheLog() throws Exception {
        Path results = tmp.resolve("r");
        CliTest.Run r = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"), "--include", "NoSuchBenchmarkAnywhere",
                "--results", results.toString(), "--run-id", "b2", "--ignore-jmh-lock");
        CliTest.assertOneLineError(r, "JMH");
        assertTrue(!Files.exists(results.resolve("raw/jmh/b2.json")) && !Files.exists(results.resolve("raw/b2.json")));
    }
}
