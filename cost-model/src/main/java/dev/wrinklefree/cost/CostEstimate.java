package dev.wrinklefree.cost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost of generating tokens at a given throughput on hardware at a given hourly price.
 *
 * @param priceKind which of the hardware's prices this uses
 * @param pricePerHourUsd the hourly price in USD
 * @param tokensPerSecond the throughput in tokens per second
 * @param costPerMillionTokensUsd USD per 1M tokens at 100 % utilization (unrounded)
 * @param costPerMillionByScenarioUsd USD per 1M tokens for each utilization scenario, by scenario name, in order
 */
public record CostEstimate(PriceKind priceKind, double pricePerHourUsd, double tokensPerSecond,
                           double costPerMillionTokensUsd, Map<String, Double> costPerMillionByScenarioUsd) {
    public CostEstimate {
        costPerMillionByScenarioUsd = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(costPerMillionByScenarioUsd));
    }

    /** Applies the seed's formulas for every scenario. */
    public static CostEstimate of(PriceKind kind, double pricePerHourUsd, double tokensPerSecond, List<UtilizationScenario> scenarios) {
        double full = Costs.costPerMillionTokensUsd(pricePerHourUsd, tokensPerSecond);
        Map<String, Double> by = new LinkedHashMap<>();
        for (UtilizationScenario s : scenarios) {
            by.put(s.name(), Costs.atUtilization(full, s.utilization()));
        }
        return new CostEstimate(kind, pricePerHourUsd, tokensPerSecond, full, by);
    }

    /** USD per 1M tokens at the scenario's utilization. */
    public double atScenario(String scenarioName) {
        Double v = costPerMillionByScenarioUsd.get(scenarioName);
        if (v == null) {
            throw new IllegalArgumentException("no utilization scenario '" + scenarioName + "'; known: " + costPerMillionByScenarioUsd.keySet());
        }
        return v;
    }
}
