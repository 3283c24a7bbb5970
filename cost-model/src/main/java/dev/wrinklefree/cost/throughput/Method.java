package dev.wrinklefree.cost.throughput;

/** How a tokens-per-second figure was obtained. */
public enum Method {
    /** A decode benchmark measured tokens per second directly (one op = one token, or batch tokens). */
    MEASURED_DECODE("measured-decode", false),
    /** A decode benchmark's prefill phase measured prompt tokens per second (prompt processing, not generation). */
    MEASURED_PREFILL("measured-prefill", false),
    /** Summed from kernel benchmarks: every per-token matmul priced at the measured kernel speed. */
    KERNEL_PROJECTION("kernel-projection", true),
    /** Roofline onto other hardware: min(compute bound, bandwidth x efficiency / bytes per token). */
    ROOFLINE_PROJECTION("roofline-projection", true);

    private final String label;
    private final boolean projected;

    Method(String label, boolean projected) {
        this.label = label;
        this.projected = projected;
    }

    /** The label written to records. */
    public String label() {
        return label;
    }

    /** True unless the figure was measured end to end. */
    public boolean projected() {
        return projected;
    }
}
