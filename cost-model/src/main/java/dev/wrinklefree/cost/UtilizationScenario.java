package dev.wrinklefree.cost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A share of paid time in which the hardware does useful work.
 *
 * @param name short label used in reports and record fields (for example {@code steady-api})
 * @param utilization fraction of paid time that is busy, in {@code (0, 1]}
 * @param description what traffic pattern this stands for
 */
public record UtilizationScenario(String name, double utilization, String description) {
    /** The seed's batch-processing scenario, ~100 %. */
    public static final UtilizationScenario BATCH = new UtilizationScenario("batch", 1.0, "batch processing, constant workload");
    /** The seed's API-with-steady-traffic scenario, ~70 %. */
    public static final UtilizationScenario STEADY_API = new UtilizationScenario("steady-api", 0.7, "API with steady traffic, typical production");
    /** The seed's interactive/bursty scenario, ~50 %. */
    public static final UtilizationScenario INTERACTIVE = new UtilizationScenario("interactive", 0.5, "interactive or bursty, variable demand");

    public UtilizationScenario {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("utilization scenario needs a name");
        }
        checkUtilization(utilization);
        description = description == null ? "" : description;
    }

    /** The three built-in scenarios: 100 %, 70 %, 50 %. */
    public static List<UtilizationScenario> defaults() {
        return List.of(BATCH, STEADY_API, INTERACTIVE);
    }

    /**
     * Parses {@code name=fraction} (for example {@code nightly=0.3}) or a bare fraction/percentage
     * ({@code 0.3}, {@code 30%}), whose name is then derived ({@code u30}).
     *
     * @throws IllegalArgumentException naming the text when it is not one of those forms or out of range
     */
    public static UtilizationScenario parse(String text) {
        String t = text.strip();
        String name = null;
        int eq = t.indexOf('=');
        if (eq >= 0) {
            name = t.substring(0, eq).strip();
            t = t.substring(eq + 1).strip();
        }
        double u;
        try {
            u = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100.0 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("utilization '" + text + "': expected name=fraction such as nightly=0.3 or a percentage such as 30%");
        }
        checkUtilization(u);
        if (name == null || name.isEmpty()) {
            name = "u" + Math.round(u * 100);
        }
        return new UtilizationScenario(name, u, "user-defined");
    }

    /** The built-in scenarios followed by {@code extra}, a later one replacing an earlier one of the same name. */
    public static List<UtilizationScenario> defaultsPlus(List<UtilizationScenario> extra) {
        Map<String, UtilizationScenario> byName = new LinkedHashMap<>();
        for (UtilizationScenario s : defaults()) {
            byName.put(s.name(), s);
        }
        for (UtilizationScenario s : extra) {
            byName.put(s.name(), s);
        }
        return new ArrayList<>(byName.values());
    }

    /** The utilization as a whole percentage label, e.g. {@code 70%}. */
    public String percentLabel() {
        double pct = utilization * 100;
        return (Math.abs(pct - Math.rint(pct)) < 1e-9 ? String.valueOf((long) Math.rint(pct)) : String.valueOf(pct)) + "%";
    }

    static void checkUtilization(double u) {
        if (!(u > 0 && u <= 1)) {
            throw new IllegalArgumentException("utilization must be in (0, 1] (a fraction of paid time), got " + u);
        }
    }
}
