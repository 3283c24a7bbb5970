package dev.wrinklefree.cost.throughput;

import java.util.Locale;

/**
 * The two numbers a roofline projection cannot measure on hardware it has not run on, each with where it
 * came from.
 *
 * @param bandwidthEfficiency fraction of the catalog's peak memory bandwidth a decode step can stream, in (0, 1]
 * @param efficiencySource why that fraction
 * @param coreSpeedRatio a target core's kernel speed relative to a local core ({@code > 0}; 1 = same)
 * @param coreSpeedSource why that ratio
 */
public record RooflineAssumptions(double bandwidthEfficiency, String efficiencySource, double coreSpeedRatio, String coreSpeedSource) {
    /** Efficiency assumed when nothing calibrates it. */
    public static final double DEFAULT_EFFICIENCY = 0.7;

    public RooflineAssumptions {
        if (!(bandwidthEfficiency > 0 && bandwidthEfficiency <= 1)) {
            throw new IllegalArgumentException("bandwidth efficiency must be in (0, 1], got " + bandwidthEfficiency);
        }
        if (!(coreSpeedRatio > 0) || Double.isInfinite(coreSpeedRatio)) {
            throw new IllegalArgumentException("core speed ratio must be a finite number > 0, got " + coreSpeedRatio);
        }
    }

    /** Uncalibrated defaults: 70 % of peak bandwidth, target cores as fast as local ones. */
    public static RooflineAssumptions defaults() {
        return new RooflineAssumptions(DEFAULT_EFFICIENCY,
                "assumed " + (int) (DEFAULT_EFFICIENCY * 100) + " % of peak: typical sustained/peak ratio of streaming reads; not calibrated on this run",
                1.0, "assumed: a target core runs the kernels as fast as a local core (same ISA, similar clock)");
    }

    /**
     * Efficiency calibrated from this machine: the streaming bandwidth it achieved over its nominal peak.
     *
     * @param achievedGBps bandwidth measured locally, GB/s {@code > 0}
     * @param nominalGBps the local machine's nominal peak, GB/s {@code > 0}
     */
    public RooflineAssumptions calibrated(double achievedGBps, double nominalGBps) {
        if (!(achievedGBps > 0) || !(nominalGBps > 0)) {
            throw new IllegalArgumentException("achieved and nominal bandwidth must be > 0 GB/s, got " + achievedGBps + " and " + nominalGBps);
        }
        double e = Math.min(1.0, achievedGBps / nominalGBps);
        return new RooflineAssumptions(e, String.format(Locale.ROOT, "calibrated: %.1f GB/s measured locally of %.1f GB/s nominal", achievedGBps, nominalGBps),
                coreSpeedRatio, coreSpeedSource);
    }

    /** A copy with a given efficiency and its reason. */
    public RooflineAssumptions withEfficiency(double efficiency, String source) {
        return new RooflineAssumptions(efficiency, source, coreSpeedRatio, coreSpeedSource);
    }
}
