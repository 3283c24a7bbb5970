package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.hardware.Hardware;
import dev.wrinklefree.cost.model.ByteBudget;
import dev.wrinklefree.cost.model.ModelSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Projects a local decode figure onto catalog hardware:
 * {@code tokens/s = min(compute bound, bandwidth x efficiency / bytes per token)}, where the compute bound
 * is the local tokens/s per thread x the target's cores x the core speed ratio (linear scaling in cores,
 * an assumption that the record states). GPU entries get the bandwidth bound only: the project's
 * kernels run on CPUs, so there is no GPU compute measurement to scale.
 */
public final class Roofline {
    /** The backend label of GPU projections, which use no measured backend. */
    public static final String GPU_BACKEND = "bandwidth-roofline";

    private Roofline() {
    }

    /**
     * A projection and its parts.
     *
     * @param hardwareId target hardware
     * @param throughput the projected figure ({@link Method#ROOFLINE_PROJECTION})
     * @param computeBoundTokensPerSecond NaN for GPU entries
     * @param bandwidthBoundTokensPerSecond bandwidth x efficiency / bytes per token
     * @param bound {@code compute} or {@code bandwidth}: which one limits
     * @param bytesPerToken bytes read per generated token (per decode step divided by the batch)
     * @param assumptions the assumptions used
     */
    public record Projection(String hardwareId, Throughput throughput, double computeBoundTokensPerSecond,
                             double bandwidthBoundTokensPerSecond, String bound, double bytesPerToken,
                             RooflineAssumptions assumptions) {
    }

    /**
     * Projects {@code local} (measured or kernel-projected on this machine, batch 1) onto {@code target}.
     *
     * @throws IllegalArgumentException when the target lacks memory bandwidth, or a CPU target lacks cores
     */
    public static Projection project(Throughput local, ModelSpec model, ByteBudget budget, Hardware target, RooflineAssumptions a) {
        if (target.memoryBandwidthGBps() == null) {
            throw new IllegalArgumentException("hardware " + target.id() + " has no memory bandwidth in the catalog; cannot project onto it");
        }
        // A step of a batch of B sequences reads the weights once and each sequence's KV cache: B tokens.
        int batch = local.batch();
        double bytesPerStep = budget.bodyBytesPerToken(model) + budget.headBytesPerToken(model) + batch * budget.kvBytesPerToken(model);
        double bytes = bytesPerStep / batch;
        double bwBound = target.memoryBandwidthGBps() * 1e9 * a.bandwidthEfficiency() / bytes;
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "roofline from local %s %s (%.2f tok/s at %d thread%s); %.3f GB read per token (%s body, %s head, KV cache of %d tokens)",
                local.method().label(), local.configLabel(), local.tokensPerSecond(), local.threads(), local.threads() == 1 ? "" : "s",
                bytes / 1e9, budget.bodyFormat().label(), budget.headFormat().label(), budget.contextTokens()));
        notes.add(String.format(Locale.ROOT, "bandwidth %.1f GB/s x efficiency %.2f (%s); bandwidth source: %s",
                target.memoryBandwidthGBps(), a.bandwidthEfficiency(), a.efficiencySource(), target.bandwidthSource()));
        double computeBound = Double.NaN;
        double tps;
        String bound;
        int threads;
        if (target.kind() == Hardware.Kind.GPU) {
            tps = bwBound;
            bound = "bandwidth";
            threads = 1;
            notes.add("GPU: bandwidth bound only (the measured kernels are CPU kernels; no GPU compute bound applied)");
        } else {
            if (target.cores() == null) {
                throw new IllegalArgumentException("hardware " + target.id() + " has no core count in the catalog; cannot project onto it");
            }
            computeBound = local.tokensPerSecond() / local.threads() * target.cores() * a.coreSpeedRatio();
            notes.add(String.format(Locale.ROOT, "compute bound %.2f tok/s/thread x %d cores x %.2f (%s; linear scaling in cores assumed)",
                    local.tokensPerSecond() / local.threads(), target.cores(), a.coreSpeedRatio(), a.coreSpeedSource()));
            tps = Math.min(computeBound, bwBound);
            bound = computeBound <= bwBound ? "compute" : "bandwidth";
            threads = target.cores();
        }
        notes.addAll(local.notes().stream().map(n -> "local figure: " + n).toList());
        // On a GPU the figure depends only on the format's bytes, not on which CPU backend was measured.
        String backend = target.kind() == Hardware.Kind.GPU ? GPU_BACKEND : local.backend();
        Throughput t = new Throughput(model.id(), local.format(), backend, threads, local.batch(), tps,
                Method.ROOFLINE_PROJECTION, null, Double.NaN, Double.NaN, local.basis(), notes, local.headFormat(), local.contextTokens());
        return new Projection(target.id(), t, computeBound, bwBound, bound, bytes, a);
    }
}
