package dev.wrinklefree.cost;

import java.util.Locale;

/** Which hourly price a figure uses. The seed's advice: measure on on-demand machines, use spot prices as estimates. */
public enum PriceKind {
    /** Interruptible capacity; cheaper, may be preempted. */
    SPOT("spot"),
    /** Guaranteed capacity at list price. */
    ON_DEMAND("on-demand");

    private final String label;

    PriceKind(String label) {
        this.label = label;
    }

    /** The label used in records and reports: {@code spot} or {@code on-demand}. */
    public String label() {
        return label;
    }

    /** Parses {@code spot}, {@code on-demand} or {@code on_demand} (any case). */
    public static PriceKind parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (PriceKind k : values()) {
            if (k.label.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("price kind '" + text + "': expected spot or on-demand");
    }
}
