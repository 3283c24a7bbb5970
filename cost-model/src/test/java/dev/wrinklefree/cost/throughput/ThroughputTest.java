package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.hardware.HardwareCatalog;
import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.model.ByteBudget;
import dev.wrinklefree.cost.model.ModelCatalog;
import dev.wrinklefree.cost.model.ModelSpec;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.stats.Summary;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputTest {
    private static final ModelSpec B2 = ModelCatalog.get("bitnet-2b-4t");

    @Test
    void decodeThroughputIsTheMedianIterationInTokensPerSecond() {
        JmhResultSet rs = JmhReader.read(Fixtures.jmh("decode-thrpt.json"));
        List<Throughput> t = DecodeThroughputs.from(rs, DecodeMapping.defaults(), null);
        assertEquals(2, t.size());
        Throughput i2s = t.stream().filter(x -> "i2_s".equals(x.format())).findFirst().orElseThrow();
        assertEquals("bitnet-2b-4t", i2s.model());
        assertEquals("vector", i2s.backend());
        assertEquals(1, i2s.threads());
        assertEquals(Method.MEASURED_DECODE, i2s.method());
        double[] raw = rs.results().getFirst().primary().iterationValues();
        assertEquals(Summary.of(raw).median(), i2s.tokensPerSecond(), 0);
    }

    @Test
    void averageTimeIsConvertedPerIteration() {
        JmhResultSet rs = JmhReader.read(Fixtures.jmh("decode-avgt.json"));
        Throughput t = DecodeThroughputs.from(rs, DecodeMapping.defaults(), null).getFirst();
        double[] msPerOp = rs.results().getFirst().primary().iterationValues();
        double[] tps = Arrays.stream(msPerOp).map(ms -> 1000.0 / ms).toArray();
        assertEquals(Summary.of(tps).median(), t.tokensPerSecond(), 1e-9);
    }

    @Test
    void mappingIsConfigurable() {
        JmhResultSet rs = JmhReader.read(Fixtures.jmh("thrpt-params.json"));
        assertTrue(DecodeThroughputs.from(rs, DecodeMapping.defaults(), null).isEmpty());
        List<Throughput> t = DecodeThroughputs.from(rs, DecodeMapping.defaults().withPattern("ParamBench\\.sum$"), "bitnet-700m");
        assertEquals(4, t.size());
        assertEquals("bitnet-700m", t.getFirst().model());
        assertTrue(t.getFirst().notes().stream().anyMatch(n -> n.contains("model assumed")));
    }

    @Test
    void kernelProjectionSumsEveryMatmulByHand() {
        JmhResultSet rs = JmhReader.read(Fixtures.jmh("kernel-shapes.json"));
        List<KernelFigure> k = KernelFigure.from(rs, KernelMapping.defaults());
        assertEquals(4, k.size());
        ByteBudget budget = ByteBudget.of(WeightFormat.I2_S);
        List<Throughput> p = KernelProjection.project(k, B2, budget, KernelMapping.defaults().preferredResidency());
        assertEquals(1, p.size());
        Throughput t = p.getFirst();
        assertEquals(Method.KERNEL_PROJECTION, t.method());

        double q = median(rs, "2560x2560");
        double kv = median(rs, "640x2560");
        double up = median(rs, "6912x2560");
        double down = median(rs, "2560x6912");
        double bodySeconds = 30 * (2 / q + 2 / kv + 2 / up + 1 / down);
        // Head: 128256 x 2560 f16 bytes at the fastest packed-weight stream among the four (2 bits per weight).
        double bestBytesPerSecond = Math.max(Math.max(q * 2560 * 2560, kv * 640 * 2560), Math.max(up * 6912 * 2560, down * 2560 * 6912)) / 4.0;
        double headSeconds = 128256.0 * 2560 * 2 / bestBytesPerSecond;
        assertEquals(1.0 / (bodySeconds + headSeconds), t.tokensPerSecond(), t.tokensPerSecond() * 1e-12);
        assertTrue(t.tokensPerSecondLow() <= t.tokensPerSecond() && t.tokensPerSecond() <= t.tokensPerSecondHigh());
        assertTrue(t.notes().stream().anyMatch(n -> n.startsWith("LM head")));
        assertTrue(t.notes().stream().noneMatch(n -> n.contains("not measured")), "every body shape was measured");
    }

    @Test
    void missingShapesTakeTheNearestOne() {
        JmhResultSet rs = JmhReader.read(Fixtures.jmh("kernel-shapes.json"));
        List<KernelFigure> onlyQ = KernelFigure.from(rs, KernelMapping.defaults()).stream().filter(f -> f.shape().equals("2560x2560")).toList();
        Throughput t = KernelProjection.project(onlyQ, B2, ByteBudget.of(WeightFormat.I2_S), List.of("dram")).getFirst();
        double q = median(rs, "2560x2560");
        double weightsPerSecond = q * 2560.0 * 2560;
        double body = B2.activeLinearParams() / weightsPerSecond;
        double head = 128256.0 * 2560 * 2 / (weightsPerSecond / 4.0);
        assertEquals(1.0 / (body + head), t.tokensPerSecond(), t.tokensPerSecond() * 1e-9);
        assertTrue(t.notes().stream().anyMatch(n -> n.equals("gate 6912x2560 not measured: priced from 2560x2560 at equal weights/s")), t.notes().toString());
    }

    @Test
    void kernelFiguresInKernelUnits() {
        JmhResultSet rs = JmhReader.read(Fixtures.jmh("kernel-shapes.json"));
        KernelFigure f = KernelFigure.from(rs, KernelMapping.defaults()).getFirst();
        assertEquals(f.opsPerSecond().median() * f.weights(), f.weightsPerSecond(), 1e-6);
        assertEquals(f.weightsPerSecond() / 4, f.bytesPerSecond(), 1e-6);
        assertEquals(3.0 * 1e9 * 32 / f.weightsPerSecond(), f.cyclesPer32Weights(3.0), 1e-9);
    }

    @Test
    void rooflineTakesTheSmallerBound() {
        Hardware cpu64 = HardwareCatalog.builtIn().get("cpu-64");
        Hardware a40 = HardwareCatalog.builtIn().get("a40");
        ByteBudget budget = new ByteBudget(WeightFormat.I2_S, WeightFormat.F16, 2, 0);
        double bytes = budget.bytesPerToken(B2);
        Throughput local = new Throughput("bitnet-2b-4t", "i2_s", "vector", 2, 1, 10.0, Method.MEASURED_DECODE, null,
                Double.NaN, Double.NaN, List.of(), List.of());
        RooflineAssumptions a = RooflineAssumptions.defaults();
        Roofline.Projection p = Roofline.project(local, B2, budget, cpu64, a);
        assertEquals(5.0 * 64, p.computeBoundTokensPerSecond(), 1e-9);
        assertEquals(153.6e9 * 0.7 / bytes, p.bandwidthBoundTokensPerSecond(), 1e-9);
        assertEquals(Math.min(320, 153.6e9 * 0.7 / bytes), p.throughput().tokensPerSecond(), 1e-9);
        assertEquals("bandwidth", p.bound());
        assertEquals(Method.ROOFLINE_PROJECTION, p.throughput().method());

        Throughput slow = new Throughput("bitnet-2b-4t", "i2_s", "scalar", 2, 1, 0.2, Method.MEASURED_DECODE, null,
                Double.NaN, Double.NaN, List.of(), List.of());
        assertEquals("compute", Roofline.project(slow, B2, budget, cpu64, a).bound());

        Roofline.Projection g = Roofline.project(local, B2, budget, a40, a.calibrated(40, 50));
        assertTrue(Double.isNaN(g.computeBoundTokensPerSecond()));
        assertEquals(696e9 * 0.8 / bytes, g.throughput().tokensPerSecond(), 1e-6);
        assertTrue(g.throughput().notes().stream().anyMatch(n -> n.startsWith("GPU: bandwidth bound only")));
    }

    private static double median(JmhResultSet rs, String shape) {
        JmhResult r = rs.results().stream().filter(x -> shape.equals(x.id().param("shape"))).findFirst().orElseThrow();
        return Summary.of(r.primary().iterationValues()).median();
    }
}
