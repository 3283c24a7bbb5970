package dev.wrinklefree.cost.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.wrinklefree.cost.stats.Summary;

import java.util.List;
import java.util.Map;

/**
 * One priced figure: a model and kernel configuration on one hardware entry. Keeps every field of the
 * seed's example record (first twelve, same names) and adds what a reader needs to trust it.
 * Money fields are USD, unrounded.
 *
 * @param runId the run this record belongs to (the file {@code results/raw/<runId>.json})
 * @param model model id
 * @param quantization {@code native} or {@code naive} (seed field)
 * @param hardware catalog id
 * @param hardwareCostPerHour the headline price ({@link #priceKind()}), USD/hr
 * @param tokensPerSecond tokens per second
 * @param ttftP50Ms time to first token, ms; {@code null} when not measured (JMH runs do not)
 * @param latencyP99Ms request latency p99, ms; {@code null} when not measured
 * @param memoryUsageGb memory for weights and KV cache, GB (estimated, see {@link #memoryUsageEstimated()}); {@code null} when the model is unknown
 * @param costPerMillionTokens USD per 1M tokens at 100 % utilization, headline price
 * @param costPerMillionAt70pct USD per 1M tokens at 70 % utilization, headline price
 * @param costPerMillionAt50pct USD per 1M tokens at 50 % utilization, headline price
 * @param schemaVersion {@link RunFile#SCHEMA_VERSION}
 * @param timestamp ISO-8601 instant of the run
 * @param priceKind {@code spot} or {@code on-demand}: which price the headline fields use
 * @param priceSource where the price comes from
 * @param priceAsOf when the price was quoted
 * @param pricesApproximate whether the source quotes the prices as approximate
 * @param measured true when tokens/s was measured end to end on this hardware
 * @param throughputMethod {@code measured-decode}, {@code kernel-projection} or {@code roofline-projection}
 * @param format weight format
 * @param backend kernel backend
 * @param threads threads (measured run) or cores (projection)
 * @param batch sequences decoded together
 * @param costs both prices side by side: {@code spot} and {@code on-demand}
 * @param statistics the statistics behind tokens/s
 * @param projection roofline details, {@code null} when not a roofline projection
 * @param fitsInMemory whether {@link #memoryUsageGb()} fits the hardware's memory
 * @param memoryUsageEstimated true: memory is computed from the model's shapes, not measured
 * @param basis the benchmarks the figure rests on
 * @param notes assumptions and caveats in words
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"run_id", "model", "quantization", "hardware", "hardware_cost_per_hour", "tokens_per_second",
        "ttft_p50_ms", "latency_p99_ms", "memory_usage_gb", "cost_per_million_tokens", "cost_per_million_at_70pct",
        "cost_per_million_at_50pct", "schema_version", "timestamp", "price_kind", "price_source", "price_as_of",
        "prices_approximate", "measured", "throughput_method", "format", "backend", "threads", "batch", "costs",
        "statistics", "projection", "fits_in_memory", "memory_usage_estimated", "basis", "notes"})
public record RunRecord(
        @JsonProperty("run_id") String runId,
        @JsonProperty("model") String model,
        @JsonProperty("quantization") String quantization,
        @JsonProperty("hardware") String hardware,
        @JsonProperty("hardware_cost_per_hour") double hardwareCostPerHour,
        @JsonProperty("tokens_per_second") double tokensPerSecond,
        @JsonProperty("ttft_p50_ms") Double ttftP50Ms,
        @JsonProperty("latency_p99_ms") Double latencyP99Ms,
        @JsonProperty("memory_usage_gb") Double memoryUsageGb,
        @JsonProperty("cost_per_million_tokens") double costPerMillionTokens,
        @JsonProperty("cost_per_million_at_70pct") double costPerMillionAt70pct,
        @JsonProperty("cost_per_million_at_50pct") double costPerMillionAt50pct,
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("price_kind") String priceKind,
        @JsonProperty("price_source") String priceSource,
        @JsonProperty("price_as_of") String priceAsOf,
        @JsonProperty("prices_approximate") boolean pricesApproximate,
        @JsonProperty("measured") boolean measured,
        @JsonProperty("throughput_method") String throughputMethod,
        @JsonProperty("format") String format,
        @JsonProperty("backend") String backend,
        @JsonProperty("threads") int threads,
        @JsonProperty("batch") int batch,
        @JsonProperty("costs") Map<String, PriceCosts> costs,
        @JsonProperty("statistics") Statistics statistics,
        @JsonProperty("projection") ProjectionInfo projection,
        @JsonProperty("fits_in_memory") boolean fitsInMemory,
        @JsonProperty("memory_usage_estimated") boolean memoryUsageEstimated,
        @JsonProperty("basis") List<String> basis,
        @JsonProperty("notes") List<String> notes) {

    /**
     * Costs at one price kind.
     *
     * @param pricePerHourUsd USD/hr
     * @param costPerMillionTokens USD per 1M tokens at 100 %
     * @param byUtilization USD per 1M tokens per utilization scenario name
     */
    public record PriceCosts(@JsonProperty("price_per_hour_usd") double pricePerHourUsd,
                             @JsonProperty("cost_per_million_tokens") double costPerMillionTokens,
                             @JsonProperty("by_utilization") Map<String, Double> byUtilization) {
    }

    /**
     * The statistics behind tokens/s.
     *
     * @param tokensPerSecond per-iteration statistics of a measurement, {@code null} for projections
     * @param tokensPerSecondLow projection with every input at its slowest iteration, {@code null} if none
     * @param tokensPerSecondHigh projection with every input at its fastest iteration, {@code null} if none
     * @param local the local figure a roofline projection started from, {@code null} otherwise
     * @param projectionError projected / measured - 1 where both exist for this hardware, else {@code null}
     * @param decodeStepLatencyMs percentiles (p50, p90, p99, p99.9, max) of single decode steps in ms, from
     *     JMH's sample-mode histogram (HdrHistogram, 3 significant digits); {@code null} in other modes
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Statistics(@JsonProperty("tokens_per_second") Summary tokensPerSecond,
                             @JsonProperty("tokens_per_second_low") Double tokensPerSecondLow,
                             @JsonProperty("tokens_per_second_high") Double tokensPerSecondHigh,
                             @JsonProperty("local") LocalFigure local,
                             @JsonProperty("projection_error") Double projectionError,
                             @JsonProperty("decode_step_latency_ms") Map<String, Double> decodeStepLatencyMs) {
    }

    /**
     * The local figure behind a projection.
     *
     * @param method how the local figure was obtained
     * @param tokensPerSecond local tokens/s
     * @param threads local threads
     * @param statistics per-iteration statistics, when measured
     */
    public record LocalFigure(@JsonProperty("method") String method,
                              @JsonProperty("tokens_per_second") double tokensPerSecond,
                              @JsonProperty("threads") int threads,
                              @JsonProperty("statistics") Summary statistics) {
    }

    /**
     * Roofline details.
     *
     * @param bound {@code compute} or {@code bandwidth}
     * @param computeBoundTokensPerSecond {@code null} for GPUs
     * @param bandwidthBoundTokensPerSecond bandwidth x efficiency / bytes per token
     * @param bytesPerToken bytes read per token
     * @param memoryBandwidthGbps the catalog's bandwidth, GB/s
     * @param bandwidthEfficiency fraction of it assumed reachable
     * @param efficiencySource why
     * @param coreSpeedRatio target core speed relative to local
     */
    public record ProjectionInfo(@JsonProperty("bound") String bound,
                                 @JsonProperty("compute_bound_tokens_per_second") Double computeBoundTokensPerSecond,
                                 @JsonProperty("bandwidth_bound_tokens_per_second") double bandwidthBoundTokensPerSecond,
                                 @JsonProperty("bytes_per_token") double bytesPerToken,
                                 @JsonProperty("memory_bandwidth_gbps") double memoryBandwidthGbps,
                                 @JsonProperty("bandwidth_efficiency") double bandwidthEfficiency,
                                 @JsonProperty("efficiency_source") String efficiencySource,
                                 @JsonProperty("core_speed_ratio") double coreSpeedRatio) {
    }

    /** The per-1M cost at one price kind label ({@code spot} / {@code on-demand}). */
    public double costPerMillion(String priceKind) {
        PriceCosts c = costs.get(priceKind);
        if (c == null) {
            throw new IllegalArgumentException("record has no '" + priceKind + "' costs; has " + costs.keySet());
        }
        return c.costPerMillionTokens();
    }
}
