package dev.wrinklefree.cost.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.io.Json;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.record.MachineInfo;
import dev.wrinklefree.cost.record.RunFile;
import dev.wrinklefree.cost.record.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostAnalysisTest {
    static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "Linux", "25");
    static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path tmp;

    @Test
    void measuredOnACatalogMachine() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("decode-thrpt.json")));
        Analysis a = CostAnalysis.run(rs, HardwareCatalog.builtIn(), AnalysisOptions.defaults().withMeasuredOn("cpu-32"), "r1", T, MACHINE);
        List<RunRecord> measured = a.records().stream().filter(RunRecord::measured).toList();
        assertEquals(2, measured.size());
        for (RunRecord r : measured) {
            assertEquals("cpu-32", r.hardware());
            assertEquals("measured-decode", r.throughputMethod());
            assertEquals(0.12, r.hardwareCostPerHour(), 0);
            assertEquals("spot", r.priceKind());
            double full = 0.12 / (r.tokensPerSecond() * 3600) * 1e6;
            assertEquals(full, r.costPerMillionTokens(), 1e-15);
            assertEquals(full / 0.7, r.costPerMillionAt70pct(), 1e-15);
            assertEquals(full / 0.5, r.costPerMillionAt50pct(), 1e-15);
            assertEquals(0.15 / (r.tokensPerSecond() * 3600) * 1e6, r.costPerMillion("on-demand"), 1e-15);
            assertNotNull(r.statistics().tokensPerSecond());
            assertEquals(3, r.statistics().tokensPerSecond().n());
            assertNotNull(r.statistics().projectionError(), "the roofline for its own hardware is checked against the measurement");
            assertNull(r.ttftP50Ms());
            assertEquals("native", r.quantization());
        }
        // Every other hardware gets a roofline projection per figure.
        assertEquals(2 * 3, a.records().stream().filter(r -> !r.measured()).count());
        assertTrue(a.records().stream().filter(r -> !r.measured()).allMatch(r -> r.projection() != null && r.throughputMethod().equals("roofline-projection")));
        assertTrue(a.cheapest("spot").isPresent());
    }

    @Test
    void kernelsOnlyGiveProjections() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("kernel-shapes.json")));
        Analysis a = CostAnalysis.run(rs, HardwareCatalog.builtIn(), AnalysisOptions.defaults(), "r2", T, MACHINE);
        assertEquals(1, a.local().size());
        assertEquals(4, a.records().size());
        assertTrue(a.records().stream().noneMatch(RunRecord::measured));
        assertEquals(4, a.kernels().size());
    }

    @Test
    void recordFileHasEverySeedField(@TempDir Path dir) throws Exception {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("decode-thrpt.json")));
        Analysis a = CostAnalysis.run(rs, HardwareCatalog.builtIn(), AnalysisOptions.defaults().withMeasuredOn("a40"), "2026-01-02-test", T, MACHINE);
        Path p = a.runFile().writeTo(dir);
        assertEquals(dir.resolve("2026-01-02-test.json"), p);
        JsonNode root = Json.readTree(p);
        assertEquals(1, root.get("schema_version").asInt());
        JsonNode rec = root.get("records").get(0);
        for (String f : List.of("run_id", "model", "quantization", "hardware", "hardware_cost_per_hour", "tokens_per_second",
                "ttft_p50_ms", "latency_p99_ms", "memory_usage_gb", "cost_per_million_tokens", "cost_per_million_at_70pct",
                "cost_per_million_at_50pct", "schema_version", "timestamp", "price_kind", "price_source", "measured",
                "throughput_method", "format", "backend", "threads", "costs", "statistics")) {
            assertTrue(rec.has(f), "missing " + f);
        }
        assertEquals("2026-01-02T03:04:05Z", rec.get("timestamp").asText());
        assertEquals("Test CPU", root.get("machine").get("cpu_model").asText());
        assertTrue(root.get("machine").get("jdk").asText().startsWith("25.0.3"), "the JDK the benchmarks ran on");
        RunFile back = RunFile.read(p);
        assertEquals(a.records(), back.records());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void badInputs() {
        JmhResultSet fix = JmhReader.read(List.of(Fixtures.jmh("thrpt-params.json")));
        var none = assertThrows(InputException.class, () -> CostAnalysis.run(fix, HardwareCatalog.builtIn(), AnalysisOptions.defaults(), "r", T, MACHINE));
        assertTrue(none.getMessage().contains("gives tokens per second"), none.getMessage());
        JmhResultSet dec = JmhReader.read(List.of(Fixtures.jmh("decode-thrpt.json")));
        var hw = assertThrows(IllegalArgumentException.class, () -> CostAnalysis.run(dec, HardwareCatalog.builtIn(),
                AnalysisOptions.defaults().withHardware(List.of("tpu")), "r", T, MACHINE));
        assertTrue(hw.getMessage().startsWith("unknown hardware 'tpu'; known: a40"), hw.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CostAnalysis.run(dec, HardwareCatalog.builtIn(), AnalysisOptions.defaults(), "../evil", T, MACHINE));
        assertThrows(InputException.class, () -> CostAnalysis.run(JmhResultSet.of(List.of()), HardwareCatalog.builtIn(), AnalysisOptions.defaults(), "r", T, MACHINE));
    }

    @Test
    void largeModelsThatDoNotFitAreFlagged() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("kernel-shapes.json")));
        Analysis a = CostAnalysis.run(rs, HardwareCatalog.builtIn(), AnalysisOptions.defaults().withModels(List.of("llama-3.1-70b")).withContextTokens(32768), "r3", T, MACHINE);
        RunRecord l4 = a.records().stream().filter(r -> r.hardware().equals("l4")).findFirst().orElseThrow();
        assertFalse(l4.fitsInMemory(), "70B: 17.1 GB ternary body + 4.2 GB f16 embedding and head + 10.7 GB KV cache at 32k context > 24 GB");
        assertTrue(l4.notes().stream().anyMatch(n -> n.startsWith("does not fit")));
        assertTrue(a.cheapest("spot").map(r -> !r.hardware().equals("l4")).orElse(true));
    }

    @Test
    void sampleModeGivesStepLatencyPercentiles() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("sample-params.json")));
        AnalysisOptions o = AnalysisOptions.defaults().withMeasuredOn("cpu-32")
                .withDecodeMapping(dev.wrinklefree.cost.throughput.DecodeMapping.defaults().withPattern("ParamBench\\.sum$"));
        Analysis a = CostAnalysis.run(rs, HardwareCatalog.builtIn(), o, "r4", T, MACHINE);
        RunRecord r = a.records().stream().filter(RunRecord::measured).findFirst().orElseThrow();
        var lat = r.statistics().decodeStepLatencyMs();
        assertNotNull(lat);
        var h = rs.results().getFirst().primary().sampleHistogram();
        assertEquals(h.getValueAtPercentile(99) / 1000.0, lat.get("p99"), 1e-12, "us/op samples converted to ms");
        assertTrue(lat.get("p50") <= lat.get("p90") && lat.get("p90") <= lat.get("p99") && lat.get("p99") <= lat.get("max"));
        assertNull(r.latencyP99Ms(), "request latency stays empty: a decode step is not a request");
    }
}
