package dev.wrinklefree.cost.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Priced hardware by id. {@link #builtIn()} holds the seed's RunPod prices (December 2024); a user file
 * (JSON or YAML, same fields) overrides fields of existing entries or adds new ones. Immutable.
 *
 * <p>File format ({@code schema_version} 1):
 * <pre>
 * schema_version: 1
 * hardware:
 *   - id: cpu-96                      # required; lower-case
 *     name: CPU 96-core               # required for a new entry
 *     kind: cpu                       # cpu or gpu; required for a new entry
 *     spot_price_per_hour_usd: 0.36   # USD/hr >= 0; required for a new entry
 *     on_demand_price_per_hour_usd: 0.45
 *     prices_approximate: false
 *     price_source: "https://..."     # required whenever a price is given
 *     price_as_of: 2025-01-15         # YYYY-MM or YYYY-MM-DD; required whenever a price is given
 *     memory_gb: 384                  # required for a new entry
 *     cores: 96                       # optional; needed for roofline projection
 *     memory_bandwidth_gbps: 230.4    # optional; needed for roofline projection
 *     bandwidth_source: "..."         # required whenever a bandwidth is given
 *     notes: "..."
 * </pre>
 */
public final class HardwareCatalog {
    /** The version of the catalog file format this class reads and writes. */
    public static final int SCHEMA_VERSION = 1;
    private static final String BUILT_IN = "runpod-2024-12.json";
    private static final Set<String> FIELDS = Set.of("id", "name", "kind", "spot_price_per_hour_usd",
            "on_demand_price_per_hour_usd", "prices_approximate", "price_source", "price_as_of", "memory_gb", "cores",
            "memory_bandwidth_gbps", "bandwidth_source", "notes");

    private final Map<String, Hardware> byId;
    private final List<String> sources;

    private HardwareCatalog(Map<String, Hardware> byId, List<String> sources) {
        this.byId = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byId));
        this.sources = List.copyOf(sources);
    }

    /** The built-in catalog: the seed's RunPod prices of December 2024, with cores and bandwidth sources. */
    public static HardwareCatalog builtIn() {
        try (InputStream in = HardwareCatalog.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("built-in hardware catalog " + BUILT_IN + " is missing from the jar");
            }
            JsonNode root = Json.mapper().readTree(in);
            return new HardwareCatalog(new LinkedHashMap<>(), List.of()).merge(root, "built-in catalog " + BUILT_IN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in hardware catalog", e);
        }
    }

    /**
     * The built-in catalog with {@code userFile} applied, or the built-in one when {@code userFile} is null.
     *
     * @throws InputException naming the file, the entry and the field when the file is not a valid catalog
     */
    public static HardwareCatalog load(Path userFile) {
        HardwareCatalog c = builtIn();
        return userFile == null ? c : c.withFile(userFile);
    }

    /** This catalog with the entries of {@code file} overriding or added. */
    public HardwareCatalog withFile(Path file) {
        return merge(Json.readTree(file), file.toString());
    }

    /** This catalog with {@code h} added, or replacing the entry of the same id. */
    public HardwareCatalog with(Hardware h) {
        Map<String, Hardware> m = new LinkedHashMap<>(byId);
        m.put(h.id(), h);
        return new HardwareCatalog(m, sources);
    }

    /**
     * The entry with this id.
     *
     * @throws UnknownHardwareException listing the known ids
     */
    public Hardware get(String id) {
        Hardware h = byId.get(id);
        if (h == null) {
            throw new UnknownHardwareException(id, byId.keySet());
        }
        return h;
    }

    /** Every entry, built-in ones first in their order, then added ones. */
    public List<Hardware> all() {
        return List.copyOf(byId.values());
    }

    /** The ids, in {@link #all()} order. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** Where the entries came from: "built-in catalog ..." then each user file applied, in order. */
    public List<String> sources() {
        return sources;
    }

    private HardwareCatalog merge(JsonNode root, String where) {
        if (!root.isObject()) {
            throw new InputException(where + ": expected an object with 'schema_version' and 'hardware', got " + Json.kind(root));
        }
        double version = Json.number(root, "schema_version", where);
        if (version != SCHEMA_VERSION) {
            throw new InputException(where + ": schema_version " + root.get("schema_version").asText() + " is not supported (this version reads " + SCHEMA_VERSION + ")");
        }
        JsonNode list = Json.array(root, "hardware", where);
        if (list.isEmpty()) {
            throw new InputException(where + ": 'hardware' is empty; expected at least one entry");
        }
        Map<String, Hardware> m = new LinkedHashMap<>(byId);
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String at = where + ": hardware[" + i + "]";
            if (!e.isObject()) {
                throw new InputException(at + ": expected an object, got " + Json.kind(e));
            }
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw new InputException(at + ": unknown field '" + f + "'; known fields: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
                }
            }
            String id = Json.text(e, "id", at);
            at = where + ": hardware[" + i + "] (" + id + ")";
            Hardware old = m.get(id);
            try {
                m.put(id, entry(e, old, at));
            } catch (InputException ex) {
                throw ex;
            } catch (IllegalArgumentException ex) {
                throw new InputException(at + ": " + ex.getMessage(), ex);
            }
        }
        List<String> src = new ArrayList<>(sources);
        src.add(where);
        return new HardwareCatalog(m, src);
    }

    private static Hardware entry(JsonNode e, Hardware old, String at) {
        boolean priceGiven = e.has("spot_price_per_hour_usd") || e.has("on_demand_price_per_hour_usd");
        if (priceGiven && (!e.has("price_source") || !e.has("price_as_of"))) {
            throw new InputException(at + ": a price needs 'price_source' and 'price_as_of' beside it");
        }
        if (e.has("memory_bandwidth_gbps") && !e.has("bandwidth_source")) {
            throw new InputException(at + ": 'memory_bandwidth_gbps' needs 'bandwidth_source' beside it");
        }
        if (old == null) {
            for (String f : List.of("name", "kind", "spot_price_per_hour_usd", "on_demand_price_per_hour_usd", "memory_gb")) {
                Json.required(e, f, at + " (a new entry)");
            }
        }
        String id = Json.text(e, "id", at);
        String name = e.has("name") ? Json.text(e, "name", at) : old.name();
        Hardware.Kind kind = e.has("kind") ? kind(Json.text(e, "kind", at), at) : old.kind();
        double spot = e.has("spot_price_per_hour_usd") ? Json.number(e, "spot_price_per_hour_usd", at) : old.spotPricePerHourUsd();
        double od = e.has("on_demand_price_per_hour_usd") ? Json.number(e, "on_demand_price_per_hour_usd", at) : old.onDemandPricePerHourUsd();
        boolean approx = e.has("prices_approximate") ? e.get("prices_approximate").asBoolean() : !priceGiven && old != null && old.pricesApproximate();
        String priceSource = e.has("price_source") ? Json.text(e, "price_source", at) : old.priceSource();
        String asOf = e.has("price_as_of") ? Json.text(e, "price_as_of", at) : old.priceAsOf();
        double mem = e.has("memory_gb") ? Json.number(e, "memory_gb", at) : old.memoryGb();
        Integer cores = e.has("cores") ? Integer.valueOf((int) integral(Json.number(e, "cores", at), at + ".cores")) : old == null ? null : old.cores();
        Double bw = e.has("memory_bandwidth_gbps") ? Double.valueOf(Json.number(e, "memory_bandwidth_gbps", at)) : old == null ? null : old.memoryBandwidthGBps();
        String bwSource = e.has("bandwidth_source") ? Json.text(e, "bandwidth_source", at) : old == null ? null : old.bandwidthSource();
        String notes = e.has("notes") ? e.get("notes").asText() : old == null ? "" : old.notes();
        return new Hardware(id, name, kind, spot, od, approx, priceSource, asOf, mem, cores, bw, bwSource, notes);
    }

    private static long integral(double v, String at) {
        if (v != Math.rint(v)) {
            throw new InputException(at + ": expected a whole number, got " + v);
        }
        return (long) v;
    }

    private static Hardware.Kind kind(String s, String at) {
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> Hardware.Kind.CPU;
            case "gpu" -> Hardware.Kind.GPU;
            default -> throw new InputException(at + ".kind: expected cpu or gpu, got '" + s + "'");
        };
    }
}
