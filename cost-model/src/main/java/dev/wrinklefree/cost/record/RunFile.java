package dev.wrinklefree.cost.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wrinklefree.cost.io.AtomicFiles;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The file {@code results/raw/<runId>.json}: one run's records and what they were made from.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param runId the run's id, also the file name
 * @param timestamp ISO-8601 instant
 * @param tool the writing tool and version
 * @param machine the machine the benchmarks ran on
 * @param inputs the JMH files read
 * @param catalogSources where the hardware entries came from
 * @param utilizationScenarios name to utilization fraction
 * @param records the priced figures
 * @param promptThroughput prompt-processing (prefill) rates measured on the benchmark machine: reported beside the
 *     records, never priced as generated tokens (empty when the run had none; absent in files of older versions)
 */
@JsonPropertyOrder({"schema_version", "run_id", "timestamp", "tool", "machine", "inputs", "catalog_sources",
        "utilization_scenarios", "records", "prompt_throughput"})
public record RunFile(@JsonProperty("schema_version") int schemaVersion,
                      @JsonProperty("run_id") String runId,
                      @JsonProperty("timestamp") String timestamp,
                      @JsonProperty("tool") String tool,
                      @JsonProperty("machine") MachineInfo machine,
                      @JsonProperty("inputs") List<String> inputs,
                      @JsonProperty("catalog_sources") List<String> catalogSources,
                      @JsonProperty("utilization_scenarios") Map<String, Double> utilizationScenarios,
                      @JsonProperty("records") List<RunRecord> records,
                      @JsonProperty("prompt_throughput") List<PromptFigure> promptThroughput) {
    public RunFile {
        promptThroughput = promptThroughput == null ? List.of() : List.copyOf(promptThroughput);
    }

    /**
     * Prompt tokens per second of one configuration, measured (a decode benchmark's prefill phase).
     *
     * @param model model id
     * @param format weight format
     * @param backend kernel backend
     * @param threads threads of the measured run
     * @param tokensPerSecond median prompt tokens/s
     * @param statistics tokens/s per measurement iteration
     * @param basis the benchmark it was read from
     * @param notes how it was read
     */
    public record PromptFigure(@JsonProperty("model") String model,
                               @JsonProperty("format") String format,
                               @JsonProperty("backend") String backend,
                               @JsonProperty("threads") int threads,
                               @JsonProperty("tokens_per_second") double tokensPerSecond,
                               @JsonProperty("statistics") dev.wrinklefree.cost.stats.Summary statistics,
                               @JsonProperty("basis") List<String> basis,
                               @JsonProperty("notes") List<String> notes) {
    }

    /** Version of this file format; bumped on any incompatible change. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = Json.mapper().copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The path {@code <rawDir>/<runId>.json}. */
    public Path pathIn(Path rawDir) {
        return rawDir.resolve(runId + ".json");
    }

    /** Writes this file atomically to {@code <rawDir>/<runId>.json} and returns the path. */
    public Path writeTo(Path rawDir) {
        Path p = pathIn(rawDir);
        try {
            AtomicFiles.write(p, MAPPER.writeValueAsBytes(this));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize run " + runId, e);
        }
        return p;
    }

    /**
     * Reads a run file.
     *
     * @throws InputException naming the file when it is not a run file of a supported version
     */
    public static RunFile read(Path file) {
        var tree = Json.readTree(file);
        if (!tree.isObject() || !tree.has("records")) {
            throw new InputException(file + ": not a wrinklefree run file (expected an object with 'records')");
        }
        double v = Json.number(tree, "schema_version", file.toString());
        if (v != SCHEMA_VERSION) {
            throw new InputException(file + ": schema_version " + tree.get("schema_version").asText() + " is not supported (this version reads " + SCHEMA_VERSION + ")");
        }
        try {
            return MAPPER.treeToValue(tree, RunFile.class);
        } catch (IOException e) {
            throw new InputException(file + ": not a valid run file: " + e.getMessage(), e);
        }
    }

    /** True when {@code file} exists. */
    public static boolean exists(Path file) {
        return Files.exists(file);
    }
}
