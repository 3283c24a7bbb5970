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
    void runsJmhThenPrintsTheKernelTableAndPrices() throws Exception {
        Path results = tmp.resolve("results");
        CliTest.Run r = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"),
                "--results", results.toString(), "--run-id", "b1", "--measured-on", "cpu-32", "--ignore-jmh-lock",
                "--", "fixture.DecodeBenchmark", "-f", "1", "-wi", "1", "-i", "2", "-w", "100ms", "-r", "100ms");
        Path log = results.resolve("raw/jmh/b1.log");
        assertEquals(0, r.code(), r.out() + r.err() + (Files.exists(log) ? Files.readString(log) : ""));
        assertTrue(r.err().contains("# Benchmark: dev.wrinklefree.cli.fixture.DecodeBenchmark.tokens"), "progress: " + r.err());
        assertTrue(r.err().contains("[profile] step 1/1"), "progress: " + r.err());
        assertTrue(Files.size(results.resolve("raw/jmh/b1.json")) > 100);
        assertTrue(Files.exists(results.resolve("raw/b1.json")));
        assertTrue(Files.exists(results.resolve("reports/b1.html")));
        // The kernel table of the same JSON, printed and kept beside the report.
        assertTrue(r.out().contains("Decoder (DecodeBenchmark") && r.out().contains("| bitnet-2b-4t | i2_s |  | vector | 1 | prefill |"), r.out());
        assertTrue(Files.readString(results.resolve("reports/b1-kernels.md")).contains("Decoder (DecodeBenchmark"));
        // Decode is priced as measured; prefill is prompt throughput, not generation.
        assertTrue(r.out().contains("measured-decode (measured)"), r.out());
        assertTrue(r.out().contains("prompt tokens/s"), r.out());
        try (var s = Files.list(results.resolve("raw/jmh"))) {
            assertEquals(2, s.count(), "no temporary files left");
        }
        // Results are shared: they get the umask's permissions, not a temporary file's 0600.
        var umask = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain")));
        for (String f : new String[] {"raw/jmh/b1.json", "raw/jmh/b1.log", "reports/b1-kernels.md", "reports/b1.md", "raw/b1.json"}) {
            assertEquals(umask, Files.getPosixFilePermissions(results.resolve(f)), f);
        }
        try (var s = Files.list(results.resolve("reports"))) {
            assertEquals(4, s.count(), "md, html, csv, kernels.md and no temporary file");
        }
    }

    @Test
    void aRunWithNothingToPriceKeepsItsTableAndSaysSo() throws Exception {
        Path results = tmp.resolve("results");
        // With another decode pattern the stand-in is neither a decode nor a kernel benchmark (as the memory benchmarks are).
        CliTest.Run r = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"), "--results", results.toString(),
                "--run-id", "b3", "--ignore-jmh-lock", "--decode-pattern", "NoSuchDecoder",
                "--", "fixture.DecodeBenchmark", "-p", "phase=decode", "-f", "1", "-wi", "0", "-i", "1", "-r", "100ms");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("no cost report: none of these benchmarks gives tokens per second"), r.out());
        assertTrue(Files.exists(results.resolve("raw/jmh/b3.json")) && Files.exists(results.resolve("reports/b3-kernels.md")));
        assertTrue(!Files.exists(results.resolve("raw/b3.json")));
    }

    @Test
    void listPrintsTheProfilesJmhCommandLines() {
        CliTest.Run q = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"), "--list");
        assertEquals(0, q.code(), q.out() + q.err());
        assertTrue(q.out().contains("[profile] quick:") && q.out().contains("TernaryMatmulBenchmark")
                && q.out().contains("'DecodeBenchmark\\.tokens$' -p model=bitnet-2b-4t"), q.out());
        CliTest.Run f = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"), "--list", "--full", "--include", "Decode");
        assertEquals(0, f.code(), f.out() + f.err());
        assertTrue(f.out().contains("phase=decode,prefill") && !f.out().contains("TernaryMatmul"), f.out());
    }

    @Test
    void jmhArgumentsDoNotMixWithAProfile() {
        CliTest.Run r = CliTest.run("bench", "--full", "--", "DecodeBenchmark");
        CliTest.assertOneLineError(r, "cannot be combined");
    }

    @Test
    void missingJarIsOneLine() {
        CliTest.Run r = CliTest.run("bench", "--jar", tmp.resolve("none.jar").toString(), "--results", tmp.toString());
        CliTest.assertOneLineError(r, "no JMH benchmarks jar at");
    }

    @Test
    void jmhFailureIsOneLineAndLeavesOnlyTheLog() throws Exception {
        Path results = tmp.resolve("r");
        CliTest.Run r = CliTest.run("bench", "--jmh-classpath", System.getProperty("java.class.path"),
                "--results", results.toString(), "--run-id", "b2", "--ignore-jmh-lock", "--", "NoSuchBenchmarkAnywhere", "-f", "1");
        CliTest.assertOneLineError(r, "benchmarks failed");
        assertTrue(!Files.exists(results.resolve("raw/jmh/b2.json")) && !Files.exists(results.resolve("raw/b2.json")));
        assertTrue(Files.exists(results.resolve("raw/jmh/b2.log")));
    }
}
