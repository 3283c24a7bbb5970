package dev.wrinklefree.cost.analysis;

import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.model.ByteBudget;
import dev.wrinklefree.cost.model.ModelCatalog;
import dev.wrinklefree.cost.model.ModelSpec;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.record.RunFile;
import dev.wrinklefree.cost.record.RunRecord;
import dev.wrinklefree.cost.report.CostReport;
import dev.wrinklefree.cost.stats.Summary;
import dev.wrinklefree.cost.throughput.DecodeMapping;
import dev.wrinklefree.cost.throughput.DecodeThroughputs;
import dev.wrinklefree.cost.throughput.LocalRoofline;
import dev.wrinklefree.cost.throughput.Method;
import dev.wrinklefree.cost.throughput.Throughput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decode vs prefill, the benchmark's own head and context, and the local memory roofline, on the project's real JMH output. */
class DecodePhaseTest {
    @TempDir
    Path tmp;

    private static JmhResultSet prefill700m() {
        return JmhReader.read(List.of(Fixtures.jmh("project-decode-prefill-700m.json")));
    }

    @Test
    void onlyTheDecodePhaseIsGenerationPrefillIsPromptThroughput() {
        JmhResultSet rs = prefill700m();
        assertEquals(16, rs.size());
        List<Throughput> decode = DecodeThroughputs.from(rs, DecodeMapping.defaults(), null);
        List<Throughput> prompt = DecodeThroughputs.prompt(rs, DecodeMapping.defaults(), null);
        assertEquals(8, decode.size());
        assertEquals(8, prompt.size());
        for (Throughput t : decode) {
            JmhResult r = rs.get(t.basis().getFirst());
            assertEquals("decode", r.id().param("phase"));
            assertEquals(Method.MEASURED_DECODE, t.method());
            assertEquals("f16", t.headFormat());
            assertEquals(128, t.contextTokens());
            assertEquals(Summary.of(r.primary().iterationValues()).median(), t.tokensPerSecond(), 0);
        }
        for (Throughput t : prompt) {
            assertEquals("prefill", rs.get(t.basis().getFirst()).id().param("phase"));
            assertEquals(Method.MEASURED_PREFILL, t.method());
        }
        // The run's prefill is several times its decode: counted as generation it would cut every cost.
        Throughput d = decode.stream().filter(t -> t.backend().equals("native") && t.format().equals("I2_S") && t.threads() == 2).findFirst().orElseThrow();
        Throughput p = prompt.stream().filter(t -> t.backend().equals("native") && t.format().equals("I2_S") && t.threads() == 2).findFirst().orElseThrow();
        assertTrue(p.tokensPerSecond() > 2 * d.tokensPerSecond(), p.tokensPerSecond() + " vs " + d.tokensPerSecond());
    }

    @Test
    void prefillIsNeverPricedButReportedAndRecorded() throws Exception {
        Analysis a = CostAnalysis.run(prefill700m(), HardwareCatalog.builtIn(), AnalysisOptions.defaults(), "phases", CostAnalysisTest.T,
                CostAnalysisTest.MACHINE);
        assertTrue(a.records().stream().noneMatch(r -> r.throughputMethod().equals("measured-prefill")));
        assertTrue(a.records().stream().allMatch(r -> r.statistics().local() == null || r.statistics().local().method().equals("measured-decode")));
        assertEquals(8, a.prompt().size());
        assertEquals(8, a.runFile().promptThroughput().size());
        Path raw = a.runFile().writeTo(tmp);
        RunFile back = RunFile.read(raw);
        assertEquals(a.runFile().promptThroughput().getFirst().tokensPerSecond(), back.promptThroughput().getFirst().tokensPerSecond(), 0);
        assertTrue(CostReport.of(a).markdown().contains("## Prompt processing on this machine"));
    }

    @Test
    void aPrefillOnlyRunSaysWhyNothingIsPriced() {
        JmhResultSet rs = prefill700m();
        JmhResultSet onlyPrefill = JmhResultSet.of(rs.results().stream().filter(r -> "prefill".equals(r.id().param("phase"))).toList());
        InputException e = assertThrows(InputException.class, () -> CostAnalysis.run(onlyPrefill, HardwareCatalog.builtIn(),
                AnalysisOptions.defaults(), "p", CostAnalysisTest.T, CostAnalysisTest.MACHINE));
        assertTrue(e.getMessage().contains("8 prefill results measure prompt processing"), e.getMessage());
    }

    @Test
    void anUnknownPhaseIsAClearError() {
        assertEquals(DecodeMapping.Phase.PREFILL, DecodeMapping.phase("Prompt"));
        assertEquals(DecodeMapping.Phase.DECODE, DecodeMapping.phase(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DecodeMapping.phase("warmup"));
        assertTrue(e.getMessage().contains("decode or prefill, got 'warmup'"), e.getMessage());
    }

    @Test
    void measuredDecodeIsSetAgainstTheBestReadOfTheRunAtItsThreadCount() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("project-decode-2b4t-reads.json")));
        Map<Integer, LocalRoofline.Read> reads = LocalRoofline.bestReads(rs);
        // This run's native read beat the Java read at both thread counts.
        assertEquals("NativeMemoryReadBenchmark.read", reads.get(2).benchmark());
        JmhResult nativeRead2 = rs.results().stream().filter(r -> r.id().shortName().equals("NativeMemoryReadBenchmark.read")
                && "2".equals(r.id().param("threads"))).findFirst().orElseThrow();
        assertEquals(Summary.of(nativeRead2.secondary().get("bytes").iterationValues()).median(), reads.get(2).bytesPerSecond(), 0);

        Analysis a = CostAnalysis.run(rs, HardwareCatalog.builtIn(), AnalysisOptions.defaults().withHardware(List.of("cpu-32")), "roof",
                CostAnalysisTest.T, CostAnalysisTest.MACHINE);
        assertEquals(2, a.rooflines().size());
        LocalRoofline two = a.rooflines().stream().filter(r -> r.figure().threads() == 2).findFirst().orElseThrow();
        // By hand: the benchmark's q8_0 head and 512 tokens of context, not the f16 / 1024 defaults.
        ModelSpec m = ModelCatalog.get("bitnet-2b-4t");
        ByteBudget b = new ByteBudget(WeightFormat.TQ2_0, WeightFormat.Q8_0, 2.0, 512);
        assertEquals(b.bytesPerToken(m), two.bytesPerToken(), 1e-6);
        assertEquals(two.figure().tokensPerSecond() * b.bytesPerToken(m) / reads.get(2).bytesPerSecond(), two.fraction(), 1e-12);
        assertTrue(two.fraction() > 0.3 && two.fraction() < 1.0, "fraction " + two.fraction());
        assertTrue(two.figure().notes().stream().anyMatch(n -> n.contains("of this machine's memory roofline")));
        // The projection onto catalog hardware uses the same bytes per token.
        RunRecord cpu32 = a.records().stream().filter(r -> r.hardware().equals("cpu-32") && r.threads() > 0
                && r.statistics().local() != null && r.statistics().local().threads() == 2).findFirst().orElseThrow();
        assertEquals(b.bytesPerToken(m), cpu32.projection().bytesPerToken(), 1e-6);
        assertTrue(CostReport.of(a).markdown().contains("fraction of roofline"));
    }
}
