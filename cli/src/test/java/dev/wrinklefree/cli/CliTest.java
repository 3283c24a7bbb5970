package dev.wrinklefree.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(code, o.toString(), e.toString());
    }

    static Path fixture(String name) {
        return Path.of("..", "cost-model", "src", "test", "resources", "jmh", name).toAbsolutePath().normalize();
    }

    static void assertOneLineError(Run r, String contains) {
        assertTrue(r.code() != 0, "non-zero exit");
        String[] lines = r.err().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("wrinklefree ") && last.contains(contains), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void helpEverywhere() {
        for (String cmd : new String[] {"hardware", "report", "compare"}) {
            Run r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: wrinklefree " + cmd), r.out());
        }
        assertTrue(run("--help").out().contains("compare"));
    }

    @Test
    void hardwareListsTheCatalog() throws Exception {
        Run r = run("hardware");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("a40") && r.out().contains("$0.39") && r.out().contains("~$0.12") && r.out().contains("2024-12"), r.out());
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "schema_version: 1\nhardware:\n  - id: box\n    name: Box\n    kind: cpu\n    spot_price_per_hour_usd: 0.05\n"
                + "    on_demand_price_per_hour_usd: 0.07\n    price_source: mine\n    price_as_of: 2025-02\n    memory_gb: 32\n");
        Run c = run("hardware", "--catalog", f.toString(), "--sources");
        assertEquals(0, c.code());
        assertTrue(c.out().contains("box") && c.out().contains("box price: mine"), c.out());
        Files.writeString(f, "schema_version: 1\nhardware:\n  - id: box\n    spot_price_per_hour_usd: -1\n");
        assertOneLineError(run("hardware", "--catalog", f.toString()), "c.yaml");
    }

    @Test
    void reportWritesRecordsAndReports() throws Exception {
        Path results = tmp.resolve("results");
        Run r = run("report", fixture("decode-thrpt.json").toString(), fixture("kernel-shapes.json").toString(),
                "--results", results.toString(), "--run-id", "t1", "--measured-on", "cpu-32", "--utilization", "nightly=0.3");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(results.resolve("raw/t1.json")));
        for (String ext : new String[] {"md", "html", "csv"}) {
            assertTrue(Files.exists(results.resolve("reports/t1." + ext)), ext);
        }
        assertTrue(r.out().contains("cheapest overall (spot)"), r.out());
        assertTrue(r.err().contains("reading 2 JMH files"), "progress on stderr");
        assertTrue(Files.readString(results.resolve("reports/t1.md")).contains("nightly"));
        // Same id again: refused, nothing overwritten.
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), "--results", results.toString(), "--run-id", "t1"), "already exists");
    }

    @Test
    void badInputWritesNothing() throws Exception {
        Path results = tmp.resolve("results");
        Path truncated = tmp.resolve("cut.json");
        String good = Files.readString(fixture("decode-thrpt.json"));
        Files.writeString(truncated, good.substring(0, good.length() / 3));
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), truncated.toString(), "--results", results.toString()), "cut.json: not valid JSON");
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), "--hardware", "tpu", "--results", results.toString()), "unknown hardware 'tpu'; known: a40, l4, cpu-32, cpu-64");
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), "--utilization", "x=0", "--results", results.toString()), "(0, 1]");
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), "--utilization", "x=1.5", "--results", results.toString()), "(0, 1]");
        assertOneLineError(run("report", fixture("thrpt-params.json").toString(), "--results", results.toString()), "gives tokens per second");
        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "[]");
        assertOneLineError(run("report", empty.toString(), "--results", results.toString()), "no benchmark results");
        assertOneLineError(run("report", "--no-such-option", "x.json"), "Unknown option");
        assertFalse(Files.exists(results), "nothing written: " + results);
    }

    @Test
    void compareFailsOnRegressionOnlyWhenAsked() throws Exception {
        Path base = tmp.resolve("base.json");
        Path cur = tmp.resolve("cur.json");
        Files.writeString(base, jmhJson(100, 101, 102, 99, 100.5, 98, 101.5, 99.5));
        Files.writeString(cur, jmhJson(80, 81, 79, 80.5, 82, 79.5, 78, 81.5));
        Path out = tmp.resolve("reports");
        Run r = run("compare", "--baseline", base.toString(), "--current", cur.toString(), "--out", out.toString(), "--name", "c1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 regressed"), r.out());
        assertTrue(r.out().contains("REGRESSED KernelBench.run[thrpt](shape=2560x2560)"), r.out());
        assertTrue(Files.exists(out.resolve("c1.md")) && Files.exists(out.resolve("c1.html")) && Files.exists(out.resolve("c1.csv")));
        Run f = run("compare", "--baseline", base.toString(), "--current", cur.toString(), "--out", out.toString(), "--name", "c2", "--fail-on-regression");
        assertEquals(CompareCommand.EXIT_REGRESSION, f.code());
        Run same = run("compare", "--baseline", base.toString(), "--current", base.toString(), "--out", out.toString(), "--name", "c3", "--fail-on-regression");
        assertEquals(0, same.code());
        assertOneLineError(run("compare", "--baseline", base.toString(), "--current", fixture("avgt-noparams.json").toString(), "--out", out.toString()), "share no benchmark");
        assertOneLineError(run("compare", "--baseline", base.toString()), "Missing required option");
    }

    @Test
    void localBandwidthCanBeCalibratedFromTheRunsOwnMemoryRead() throws Exception {
        Path results = tmp.resolve("res");
        Run r = run("report", fixture("project-decode-2b4t-reads.json").toString(), "--results", results.toString(), "--run-id", "cal",
                "--hardware", "cpu-32", "--local-bandwidth", "run/51.2");
        assertEquals(0, r.code(), r.err());
        var records = new com.fasterxml.jackson.databind.ObjectMapper().readTree(results.resolve("raw/cal.json").toFile()).path("records");
        var projection = records.get(0).path("projection");
        // The file's best read: NativeMemoryReadBenchmark.read at 2 threads, median 40.43 GB/s; 40.43 / 51.2 = 0.79.
        assertEquals(0.79, projection.path("bandwidth_efficiency").asDouble(), 0.005, projection.toString());
        assertTrue(projection.path("efficiency_source").asText().contains("NativeMemoryReadBenchmark.read, 2 threads"), projection.toString());
        assertTrue(r.out().contains("% of this machine's memory roofline"), r.out());
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), "--results", results.toString(), "--local-bandwidth", "run/51.2"),
                "no memory read benchmark");
        assertOneLineError(run("report", fixture("decode-thrpt.json").toString(), "--results", results.toString(), "--local-bandwidth", "run"),
                "expected MEASURED/PEAK");
    }

    /** A JMH -rf json document of one throughput benchmark with these iterations (same layout JMH 1.37 writes). */
    static String jmhJson(double... it) {
        String raw = Arrays.stream(it).mapToObj(v -> String.format(Locale.ROOT, "%.6f", v)).collect(Collectors.joining(", "));
        double mean = Arrays.stream(it).average().orElseThrow();
        return String.format(Locale.ROOT, """
                [{"jmhVersion":"1.37","benchmark":"x.KernelBench.run","mode":"thrpt","threads":1,"forks":1,
                  "params":{"shape":"2560x2560"},
                  "primaryMetric":{"score":%f,"scoreError":"NaN","scoreConfidence":["NaN","NaN"],"scoreUnit":"ops/s","rawData":[[%s]]},
                  "secondaryMetrics":{}}]
                """, mean, raw);
    }
}
