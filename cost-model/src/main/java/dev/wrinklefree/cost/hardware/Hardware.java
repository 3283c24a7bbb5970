package dev.wrinklefree.cost.hardware;

import dev.wrinklefree.cost.PriceKind;

/**
 * One priced machine of the catalog.
 *
 * @param id short id used on the command line and in records (for example {@code a40})
 * @param name human name (for example {@code NVIDIA A40})
 * @param kind whether the cost model's CPU kernels run on it or only a bandwidth roofline applies
 * @param spotPricePerHourUsd spot price in USD per hour, {@code >= 0}
 * @param onDemandPricePerHourUsd on-demand price in USD per hour, {@code >= 0}
 * @param pricesApproximate true where the source quotes the prices as approximate ("~")
 * @param priceSource where the prices come from
 * @param priceAsOf the date the prices were quoted, ISO {@code YYYY-MM} or {@code YYYY-MM-DD}
 * @param memoryGb memory in GB (10^9 bytes): VRAM for GPUs, RAM for CPU instances
 * @param cores CPU cores (vCPUs) for CPU entries, streaming multiprocessors for GPUs; {@code null} if unknown
 * @param memoryBandwidthGBps memory bandwidth in GB/s (10^9 bytes per second); {@code null} if unknown
 * @param bandwidthSource where the bandwidth figure comes from, or the assumption behind it
 * @param notes anything else a reader should know (empty if nothing)
 */
public record Hardware(String id, String name, Kind kind,
                       double spotPricePerHourUsd, double onDemandPricePerHourUsd, boolean pricesApproximate,
                       String priceSource, String priceAsOf,
                       double memoryGb, Integer cores, Double memoryBandwidthGBps, String bandwidthSource,
                       String notes) {

    /** What executes the model on this hardware. */
    public enum Kind {
        CPU, GPU;

        /** {@code cpu} or {@code gpu}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Hardware {
        if (id == null || !id.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("hardware id must be lower-case letters, digits, '.', '_' or '-', got '" + id + "'");
        }
        checkPrice(id, "spot price", spotPricePerHourUsd);
        checkPrice(id, "on-demand price", onDemandPricePerHourUsd);
        if (!(memoryGb > 0) || Double.isInfinite(memoryGb)) {
            throw new IllegalArgumentException("hardware " + id + ": memory must be > 0 GB, got " + memoryGb);
        }
        if (cores != null && cores <= 0) {
            throw new IllegalArgumentException("hardware " + id + ": cores must be > 0, got " + cores);
        }
        if (memoryBandwidthGBps != null && (!(memoryBandwidthGBps > 0) || memoryBandwidthGBps.isInfinite())) {
            throw new IllegalArgumentException("hardware " + id + ": memory bandwidth must be > 0 GB/s, got " + memoryBandwidthGBps);
        }
        if (priceSource == null || priceSource.isBlank()) {
            throw new IllegalArgumentException("hardware " + id + ": every price needs a source");
        }
        if (priceAsOf == null || !priceAsOf.matches("\\d{4}-\\d{2}(-\\d{2})?")) {
            throw new IllegalArgumentException("hardware " + id + ": price date must be YYYY-MM or YYYY-MM-DD, got '" + priceAsOf + "'");
        }
        if (memoryBandwidthGBps != null && (bandwidthSource == null || bandwidthSource.isBlank())) {
            throw new IllegalArgumentException("hardware " + id + ": a memory bandwidth needs its source or assumption");
        }
        name = name == null || name.isBlank() ? id : name;
        notes = notes == null ? "" : notes;
    }

    /** The hourly price of {@code kind} in USD. */
    public double pricePerHourUsd(PriceKind kind) {
        return kind == PriceKind.SPOT ? spotPricePerHourUsd : onDemandPricePerHourUsd;
    }

    private static void checkPrice(String id, String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("hardware " + id + ": " + what + " must be a finite number >= 0 USD/hr, got " + v);
        }
    }
}
