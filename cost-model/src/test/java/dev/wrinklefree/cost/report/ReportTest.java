package dev.wrinklefree.cost.report;

import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.analysis.AnalysisOptions;
import dev.wrinklefree.cost.analysis.CostAnalysis;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.record.MachineInfo;
import dev.wrinklefree.cost.regression.Comparison;
import dev.wrinklefree.cost.regression.CostImpact;
import dev.wrinklefree.cost.regression.RegressionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    @TempDir
    Path tmp;

    static Analysis analysis(String runId) {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("decode-thrpt.json"), Fixtures.jmh("kernel-shapes.json")));
        return CostAnalysis.run(rs, HardwareCatalog.builtIn(), AnalysisOptions.defaults().withClockGhz(3.0), runId,
                Instant.parse("2026-01-02T03:04:05Z"), new MachineInfo("AMD EPYC Test", 2, "Linux 6", "25"));
    }

    @Test
    void costReportStatesMachineMethodsCheapestAndSources() throws Exception {
        Analysis a = analysis("rep1");
        CostReport r = CostReport.of(a);
        String md = r.markdown();
        assertTrue(md.contains("AMD EPYC Test, 2 logical cores"), "machine");
        assertTrue(md.contains("every cost below is a PROJECTION"), "measured vs projected stated");
        assertTrue(md.contains("## Cheapest configuration"));
        assertTrue(md.contains("measured-decode (measured)") && md.contains("kernel-projection (projected)"));
        for (var h : HardwareCatalog.builtIn().all()) {
            assertTrue(md.contains(h.priceSource().replace("|", "\\|")), "price source of " + h.id());
        }
        assertTrue(md.contains("| 2024-12 |"), "price date");
        assertTrue(md.contains("cycles / 32 weights"));
        String html = r.html();
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<svg") && html.contains("Tokens per second on this machine"));
        assertTrue(html.contains("Cheapest $/1M tokens per hardware and utilization (spot)"));
        assertFalse(html.contains("<script"), "self-contained, no scripts");
        assertFalse(html.contains("src=\"http"), "no external resources");
        String csv = r.csv();
        String[] lines = csv.split("\n");
        assertEquals(1 + a.records().size(), lines.length);
        assertTrue(lines[0].startsWith("run_id,model,quantization,hardware,hardware_cost_per_hour,tokens_per_second,ttft_p50_ms,latency_p99_ms,memory_usage_gb,cost_per_million_tokens,cost_per_million_at_70pct,cost_per_million_at_50pct"));
        List<Path> written = r.writeTo(tmp, "rep1");
        assertEquals(3, written.size());
        for (Path p : written) {
            assertTrue(Files.size(p) > 100);
        }
        try (var s = Files.list(tmp)) {
            assertEquals(3, s.count());
        }
    }

    @Test
    void regressionReport() {
        JmhResultSet a = JmhReader.read(Fixtures.jmh("thrpt-params.json"));
        Comparison c = Comparison.compare(a, a, RegressionOptions.defaults());
        Analysis base = analysis("b");
        Analysis cur = analysis("c");
        List<CostImpact> impacts = CostImpact.between(base, cur, "spot");
        assertFalse(impacts.isEmpty());
        assertTrue(impacts.stream().allMatch(i -> i.change() == 0));
        RegressionReport r = RegressionReport.of(c, impacts, "test");
        assertTrue(r.markdown().contains("4 benchmarks compared: 0 regressed, 0 improved, 4 unchanged"));
        assertTrue(r.markdown().contains("## Cost impact per hardware"));
        assertTrue(r.html().contains("<svg"));
        assertEquals(5, r.csv().split("\n").length);
    }

    @Test
    void money() {
        assertEquals("$0.72", Fmt.usd(0.7198));
        assertEquals("$0.0123", Fmt.usd(0.012345));
        assertEquals("n/a", Fmt.usd(Double.NaN));
        assertEquals("+3.1 %", Fmt.pct(0.031));
        assertEquals("\"a,b\"", Fmt.csv("a,b"));
        assertEquals("&lt;b&gt;", Fmt.html("<b>"));
    }
}
