package dev.wrinklefree.cost.regression;

/** The outcome for one benchmark. */
public enum Verdict {
    /** Better by more than the threshold, and significant. */
    IMPROVED,
    /** Worse by more than the threshold, and significant. */
    REGRESSED,
    /** Anything else: within the threshold, not significant, or not comparable. */
    UNCHANGED;

    /** Lower-case label for reports. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
