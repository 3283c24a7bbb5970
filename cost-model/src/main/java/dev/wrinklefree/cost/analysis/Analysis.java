package dev.wrinklefree.cost.analysis;

import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.record.RunFile;
import dev.wrinklefree.cost.record.RunRecord;
import dev.wrinklefree.cost.throughput.KernelFigure;
import dev.wrinklefree.cost.throughput.LocalRoofline;
import dev.wrinklefree.cost.throughput.Throughput;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What {@link CostAnalysis} made of one set of JMH results.
 *
 * @param runFile the records, ready to write to {@code results/raw/}
 * @param local tokens/s figures on the machine that ran the benchmarks (measured or kernel-projected)
 * @param prompt prompt-processing (prefill) tokens/s measured on that machine; reported, not priced
 * @param rooflines measured decode figures against that machine's memory roofline (when the run has a read benchmark
 *     at the same thread count)
 * @param kernels kernel benchmark figures
 * @param hardware the catalog entries priced, with their sources
 * @param options the options used
 * @param warnings things that could not be priced or projected, in words
 */
public record Analysis(RunFile runFile, List<Throughput> local, List<Throughput> prompt, List<LocalRoofline> rooflines,
                       List<KernelFigure> kernels, List<Hardware> hardware, AnalysisOptions options, List<String> warnings) {
    public Analysis {
        local = List.copyOf(local);
        prompt = List.copyOf(prompt);
        rooflines = List.copyOf(rooflines);
        kernels = List.copyOf(kernels);
        hardware = List.copyOf(hardware);
        warnings = List.copyOf(warnings);
    }

    /** The records. */
    public List<RunRecord> records() {
        return runFile.records();
    }

    /**
     * The cheapest record at 100 % utilization under {@code priceKind} ({@code spot} or {@code on-demand})
     * among those whose model fits the hardware's memory.
     */
    public Optional<RunRecord> cheapest(String priceKind) {
        return records().stream().filter(RunRecord::fitsInMemory)
                .min(Comparator.comparingDouble(r -> r.costPerMillion(priceKind)));
    }
}
