package dev.wrinklefree.cost;

/**
 * The seed's cost formulas, kept exactly:
 * <pre>
 * tokens_per_hour        = tokens_per_second * 3600
 * cost_per_million       = hourly_cost / tokens_per_hour * 1_000_000
 * cost_at_utilization(u) = cost_per_million / u
 * </pre>
 * Nothing here rounds: money is rounded only when printed.
 */
public final class Costs {
    private Costs() {
    }

    /**
     * Tokens generated in one hour.
     *
     * @param tokensPerSecond generation throughput, finite and {@code > 0}
     */
    public static double tokensPerHour(double tokensPerSecond) {
        requirePositive("tokens per second", tokensPerSecond);
        return tokensPerSecond * 3600.0;
    }

    /**
     * US dollars per one million generated tokens at full utilization.
     *
     * @param pricePerHourUsd hardware price in USD per hour, finite and {@code >= 0}
     * @param tokensPerSecond throughput in tokens per second, finite and {@code > 0}
     */
    public static double costPerMillionTokensUsd(double pricePerHourUsd, double tokensPerSecond) {
        requireNonNegative("price per hour (USD)", pricePerHourUsd);
        return pricePerHourUsd / tokensPerHour(tokensPerSecond) * 1_000_000.0;
    }

    /**
     * The cost per million tokens when the hardware is busy only a fraction {@code utilization} of the
     * time it is paid for.
     *
     * @param costPerMillionUsd cost at full utilization, USD per 1M tokens, {@code >= 0}
     * @param utilization fraction in {@code (0, 1]}
     */
    public static double atUtilization(double costPerMillionUsd, double utilization) {
        requireNonNegative("cost per million tokens (USD)", costPerMillionUsd);
        UtilizationScenario.checkUtilization(utilization);
        return costPerMillionUsd / utilization;
    }

    static void requirePositive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0, got " + v);
        }
    }

    static void requireNonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + v);
        }
    }
}
