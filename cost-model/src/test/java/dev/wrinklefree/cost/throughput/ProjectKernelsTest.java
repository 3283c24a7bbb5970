package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.Fixtures;
import dev.wrinklefree.cost.jmh.JmhReader;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.model.ByteBudget;
import dev.wrinklefree.cost.model.ModelCatalog;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.stats.Summary;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel projection reads what the project's TernaryMatmulBenchmark writes (real JSON from results/raw/jmh/). */
class ProjectKernelsTest {
    @Test
    void oneOpIsOneMxKMatmulAtTheBatchSizeAsTheBenchmarksOwnCounterSays() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("project-kernels-native.json")));
        List<KernelFigure> k = KernelFigure.from(rs, KernelMapping.defaults());
        assertEquals(24, k.size());
        for (KernelFigure f : k) {
            JmhResult r = rs.get(f.id());
            // The benchmark counts M*K*batch weights per op in its aux counter: the same rate the cost model derives from ops/s.
            double counted = Summary.of(r.secondary().get("weights").iterationValues()).median();
            assertEquals(counted, f.weightsPerSecond(), counted * 0.02, f.id().toString());
            assertEquals(Integer.parseInt(r.id().param("batch")), f.batch());
            assertEquals(Integer.parseInt(r.id().param("threads")), f.threads());
            assertTrue(Set.of("hot", "cold").contains(f.residency()));
            assertEquals("native", f.backend());
        }
    }

    @Test
    void projectionPrefersColdWeightsAndKeepsEveryNativeIsaApart() {
        JmhResultSet rs = JmhReader.read(List.of(Fixtures.jmh("project-kernels-native.json")));
        ByteBudget b = ByteBudget.of(WeightFormat.I2_S);
        List<Throughput> p = KernelProjection.project(KernelFigure.from(rs, KernelMapping.defaults()), ModelCatalog.get("bitnet-2b-4t"), b,
                KernelMapping.defaults().preferredResidency());
        assertEquals(3 * 2 * 2, p.size(), "format x threads x batch");
        assertTrue(p.stream().allMatch(t -> t.notes().contains("kernel speeds at residency 'cold'")), p.getFirst().notes().toString());

        JmhResultSet isa = JmhReader.read(List.of(Fixtures.jmh("project-kernels-isa.json")));
        Set<String> backends = KernelProjection.project(KernelFigure.from(isa, KernelMapping.defaults()), ModelCatalog.get("bitnet-2b-4t"), b,
                KernelMapping.defaults().preferredResidency()).stream().map(Throughput::backend).collect(Collectors.toSet());
        assertEquals(Set.of("vector", "native:avx512vnni", "native:avx512vnni256", "native:avx512bw", "native:avx2"), backends);
    }
}
