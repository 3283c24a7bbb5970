package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.model.ByteBudget;
import dev.wrinklefree.cost.model.Matmul;
import dev.wrinklefree.cost.model.ModelSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Bottom-up decode throughput from kernel benchmarks: every per-token matmul of the model priced at the
 * measured kernel speed for its shape, batch and residency.
 *
 * <p>For one configuration (format, backend, threads, batch): time per decode step = sum over the
 * model's matrices of {@code count / opsPerSecond(shape)}; tokens/s = batch / that time. A shape without its
 * own benchmark takes the nearest measured shape (by log distance, K weighted twice) at the same weights
 * per second. The LM head is not ternary: it is priced by its bytes (in the head format) at the fastest
 * weight-streaming rate the configuration reached. Attention over the KV cache, norms, activation
 * quantization and sampling are not counted, so the figure is an upper bound; the record says so.
 */
public final class KernelProjection {
    private KernelProjection() {
    }

    /**
     * One projection per (format, backend, threads, batch) among {@code figures}.
     *
     * @param figures kernel measurements (from {@link KernelFigure#from})
     * @param model the model whose matrices are priced
     * @param budget byte sizes; its body format is replaced by each configuration's own format
     * @param preferredResidency residency values in order of preference (see {@link KernelMapping})
     * @return projections, empty when there are no figures
     */
    public static List<Throughput> project(List<KernelFigure> figures, ModelSpec model, ByteBudget budget, List<String> preferredResidency) {
        Map<String, List<KernelFigure>> groups = new LinkedHashMap<>();
        for (KernelFigure f : figures) {
            String key = f.format().label() + "|" + f.backend() + "|" + f.threads() + "|" + f.batch();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        }
        List<Throughput> out = new ArrayList<>();
        for (List<KernelFigure> g : groups.values()) {
            out.add(projectGroup(g, model, budget, preferredResidency));
        }
        return out;
    }

    private static Throughput projectGroup(List<KernelFigure> group, ModelSpec model, ByteBudget budget, List<String> preferred) {
        List<String> notes = new ArrayList<>();
        String residency = chooseResidency(group, preferred);
        List<KernelFigure> g = group.stream().filter(f -> Objects.equals(f.residency(), residency)).toList();
        KernelFigure first = g.getFirst();
        if (residency != null) {
            notes.add("kernel speeds at residency '" + residency + "'"
                    + (preferred.stream().anyMatch(p -> p.equalsIgnoreCase(residency)) ? "" : " (none of the preferred " + preferred + " was measured)"));
        }
        double timeMedian = 0;
        double timeSlow = 0;
        double timeFast = 0;
        List<dev.wrinklefree.cost.jmh.BenchmarkId> basis = new ArrayList<>();
        for (Matmul mm : model.matmulsPerToken()) {
            if (!mm.ternary()) {
                continue;
            }
            KernelFigure exact = g.stream().filter(f -> f.rows() == mm.rows() && f.cols() == mm.cols()).findFirst().orElse(null);
            KernelFigure used = exact != null ? exact : nearest(g, mm);
            double scale = (double) used.weights() / mm.weights(); // same weights per second
            if (exact == null) {
                notes.add(mm.name() + " " + mm.shape() + " not measured: priced from " + used.shape() + " at equal weights/s");
            }
            if (!basis.contains(used.id())) {
                basis.add(used.id());
            }
            timeMedian += mm.countPerToken() / (used.opsPerSecond().median() * scale);
            timeSlow += mm.countPerToken() / (used.opsPerSecond().min() * scale);
            timeFast += mm.countPerToken() / (used.opsPerSecond().max() * scale);
        }
        KernelFigure fastest = g.stream().max((a, b) -> Double.compare(a.bytesPerSecond(), b.bytesPerSecond())).orElseThrow();
        double headBytes = budget.headBytesPerToken(model);
        double headTime = headBytes / fastest.bytesPerSecond();
        double rateScaleSlow = fastest.opsPerSecond().min() / fastest.opsPerSecond().median();
        double rateScaleFast = fastest.opsPerSecond().max() / fastest.opsPerSecond().median();
        timeMedian += headTime;
        timeSlow += headTime / rateScaleSlow;
        timeFast += headTime / rateScaleFast;
        if (!basis.contains(fastest.id())) {
            basis.add(fastest.id());
        }
        notes.add(String.format(Locale.ROOT, "LM head %dx%d (%s, %.3f GB) priced at the fastest weight streaming measured here, %.2f GB/s (%s)",
                model.vocab(), model.hidden(), budget.headFormat().label(), headBytes / 1e9, fastest.bytesPerSecond() / 1e9, fastest.shape()));
        notes.add("excludes attention over the KV cache, norms, activation quantization and sampling: an upper bound on decode tokens/s");
        int batch = first.batch();
        return new Throughput(model.id(), first.format().label(), first.backend(), first.threads(), batch,
                batch / timeMedian, Method.KERNEL_PROJECTION, null, batch / timeSlow, batch / timeFast, basis, notes);
    }

    private static String chooseResidency(List<KernelFigure> g, List<String> preferred) {
        for (String p : preferred) {
            for (KernelFigure f : g) {
                if (f.residency() != null && f.residency().equalsIgnoreCase(p)) {
                    return f.residency();
                }
            }
        }
        return g.getFirst().residency();
    }

    private static KernelFigure nearest(List<KernelFigure> g, Matmul mm) {
        KernelFigure best = null;
        double bestD = Double.POSITIVE_INFINITY;
        for (KernelFigure f : g) {
            // K sets the work per output row and the activation footprint, so it counts twice.
            double d = 2 * Math.abs(Math.log((double) f.cols() / mm.cols())) + Math.abs(Math.log((double) f.rows() / mm.rows()));
            if (d < bestD) {
                bestD = d;
                best = f;
            }
        }
        return best;
    }
}
