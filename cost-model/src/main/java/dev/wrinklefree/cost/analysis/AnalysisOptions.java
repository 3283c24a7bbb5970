package dev.wrinklefree.cost.analysis;

import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.UtilizationScenario;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.throughput.DecodeMapping;
import dev.wrinklefree.cost.throughput.KernelMapping;
import dev.wrinklefree.cost.throughput.RooflineAssumptions;

import java.util.List;

/**
 * Choices for turning JMH results into priced records. Immutable; start from {@link #defaults()} and
 * change with the {@code with...} copies.
 *
 * @param models models to price kernel projections for (decode benchmarks name their own model)
 * @param defaultModel model assumed for decode benchmarks without a model parameter
 * @param hardware catalog ids to price on; empty = every entry
 * @param measuredOn the catalog id of the machine the benchmarks ran on, or {@code null} when it is not a
 *     catalog machine (then every figure on catalog hardware is a projection)
 * @param headlinePrice which price the seed's headline fields use
 * @param scenarios utilization scenarios (the seed's three plus any user ones)
 * @param headFormat LM head storage
 * @param contextTokens context length for KV-cache bytes and memory
 * @param roofline roofline assumptions
 * @param decodeMapping how to read decode benchmarks
 * @param kernelMapping how to read kernel benchmarks
 * @param clockGhz core clock for cycles-per-weight figures, or NaN when unknown
 */
public record AnalysisOptions(List<String> models, String defaultModel, List<String> hardware, String measuredOn,
                              PriceKind headlinePrice, List<UtilizationScenario> scenarios, WeightFormat headFormat,
                              int contextTokens, RooflineAssumptions roofline, DecodeMapping decodeMapping,
                              KernelMapping kernelMapping, double clockGhz) {
    public AnalysisOptions {
        models = List.copyOf(models);
        hardware = List.copyOf(hardware);
        scenarios = List.copyOf(scenarios);
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("at least one utilization scenario is needed");
        }
        if (contextTokens < 0) {
            throw new IllegalArgumentException("context tokens must be >= 0, got " + contextTokens);
        }
    }

    /**
     * bitnet-2b-4t, every catalog entry, spot headline (as the seed's example), the seed's utilization
     * scenarios, f16 head, 1024 tokens of context, default roofline assumptions and mappings.
     */
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(List.of("bitnet-2b-4t"), "bitnet-2b-4t", List.of(), null, PriceKind.SPOT,
                UtilizationScenario.defaults(), WeightFormat.F16, 1024, RooflineAssumptions.defaults(),
                DecodeMapping.defaults(), KernelMapping.defaults(), Double.NaN);
    }

    public AnalysisOptions withModels(List<String> m) {
        return new AnalysisOptions(m, m.isEmpty() ? defaultModel : m.getFirst(), hardware, measuredOn, headlinePrice, scenarios, headFormat, contextTokens, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withHardware(List<String> h) {
        return new AnalysisOptions(models, defaultModel, h, measuredOn, headlinePrice, scenarios, headFormat, contextTokens, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withMeasuredOn(String id) {
        return new AnalysisOptions(models, defaultModel, hardware, id, headlinePrice, scenarios, headFormat, contextTokens, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withHeadlinePrice(PriceKind k) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, k, scenarios, headFormat, contextTokens, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withScenarios(List<UtilizationScenario> s) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, s, headFormat, contextTokens, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withHeadFormat(WeightFormat f) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, scenarios, f, contextTokens, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withContextTokens(int t) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, scenarios, headFormat, t, roofline, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withRoofline(RooflineAssumptions r) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, scenarios, headFormat, contextTokens, r, decodeMapping, kernelMapping, clockGhz);
    }

    public AnalysisOptions withDecodeMapping(DecodeMapping d) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, scenarios, headFormat, contextTokens, roofline, d, kernelMapping, clockGhz);
    }

    public AnalysisOptions withKernelMapping(KernelMapping k) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, scenarios, headFormat, contextTokens, roofline, decodeMapping, k, clockGhz);
    }

    public AnalysisOptions withClockGhz(double ghz) {
        return new AnalysisOptions(models, defaultModel, hardware, measuredOn, headlinePrice, scenarios, headFormat, contextTokens, roofline, decodeMapping, kernelMapping, ghz);
    }
}
