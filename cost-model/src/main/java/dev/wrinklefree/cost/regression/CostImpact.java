package dev.wrinklefree.cost.regression;

import dev.wrinklefree.cost.analysis.Analysis;
import dev.wrinklefree.cost.record.RunRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a change does to $/1M tokens on each hardware entry: the same configuration priced from the baseline
 * and from the current results.
 *
 * @param hardware catalog id
 * @param model model id
 * @param config format/backend/threads label
 * @param method how tokens/s was obtained
 * @param priceKind price kind of the two costs
 * @param baselineCostPerMillion USD per 1M tokens from the baseline
 * @param currentCostPerMillion USD per 1M tokens from the current run
 */
public record CostImpact(String hardware, String model, String config, String method, String priceKind,
                         double baselineCostPerMillion, double currentCostPerMillion) {

    /** current / baseline - 1: positive means more expensive. */
    public double change() {
        return currentCostPerMillion / baselineCostPerMillion - 1.0;
    }

    /**
     * Pairs records of the two analyses that describe the same model, configuration, method and hardware.
     *
     * @param priceKind {@code spot} or {@code on-demand}
     */
    public static List<CostImpact> between(Analysis baseline, Analysis current, String priceKind) {
        List<CostImpact> out = new ArrayList<>();
        for (RunRecord c : current.records()) {
            for (RunRecord b : baseline.records()) {
                if (Objects.equals(b.hardware(), c.hardware()) && Objects.equals(b.model(), c.model())
                        && Objects.equals(b.format(), c.format()) && Objects.equals(b.backend(), c.backend())
                        && b.batch() == c.batch() && Objects.equals(b.throughputMethod(), c.throughputMethod())
                        && Objects.equals(localMethod(b), localMethod(c)) && localThreads(b) == localThreads(c)) {
                    out.add(new CostImpact(c.hardware(), c.model(), c.format() + "/" + c.backend() + "/t" + localThreads(c),
                            c.throughputMethod() + (localMethod(c) == null ? "" : " from " + localMethod(c)), priceKind,
                            b.costPerMillion(priceKind), c.costPerMillion(priceKind)));
                    break;
                }
            }
        }
        return out;
    }

    private static String localMethod(RunRecord r) {
        return r.statistics().local() == null ? null : r.statistics().local().method();
    }

    private static int localThreads(RunRecord r) {
        return r.statistics().local() == null ? r.threads() : r.statistics().local().threads();
    }
}
