package dev.wrinklefree.cost.hardware;

import dev.wrinklefree.cost.PriceKind;
import dev.wrinklefree.cost.io.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardwareCatalogTest {
    @TempDir
    Path tmp;

    @Test
    void builtInHasTheSeedPrices() {
        HardwareCatalog c = HardwareCatalog.builtIn();
        assertEquals(List.of("a40", "l4", "cpu-32", "cpu-64"), c.ids());
        assertPrices(c.get("a40"), 0.39, 0.69, 48);
        assertPrices(c.get("l4"), 0.24, 0.36, 24);
        assertPrices(c.get("cpu-32"), 0.12, 0.15, 128);
        assertPrices(c.get("cpu-64"), 0.24, 0.30, 256);
        assertEquals(696, c.get("a40").memoryBandwidthGBps(), 0);
        assertEquals(300, c.get("l4").memoryBandwidthGBps(), 0);
        for (Hardware h : c.all()) {
            assertEquals("2024-12", h.priceAsOf());
            assertTrue(h.priceSource().contains("RunPod"));
            assertFalse(h.bandwidthSource().isBlank());
        }
        assertTrue(c.get("cpu-32").pricesApproximate());
        assertFalse(c.get("a40").pricesApproximate());
        assertTrue(c.get("cpu-64").bandwidthSource().startsWith("ASSUMPTION"));
    }

    private static void assertPrices(Hardware h, double spot, double od, double mem) {
        assertEquals(spot, h.pricePerHourUsd(PriceKind.SPOT), 0);
        assertEquals(od, h.pricePerHourUsd(PriceKind.ON_DEMAND), 0);
        assertEquals(mem, h.memoryGb(), 0);
    }

    @Test
    void unknownIdListsKnownOnes() {
        var e = assertThrows(UnknownHardwareException.class, () -> HardwareCatalog.builtIn().get("h100"));
        assertEquals("unknown hardware 'h100'; known: a40, l4, cpu-32, cpu-64 (add it with a catalog file: --catalog FILE)", e.getMessage());
    }

    @Test
    void yamlOverridesAndAdds() throws IOException {
        Path f = tmp.resolve("mine.yaml");
        Files.writeString(f, """
                schema_version: 1
                hardware:
                  - id: a40
                    spot_price_per_hour_usd: 0.35
                    on_demand_price_per_hour_usd: 0.44
                    price_source: my invoice
                    price_as_of: 2025-03-01
                  - id: cpu-96
                    name: CPU 96-core
                    kind: cpu
                    spot_price_per_hour_usd: 0.36
                    on_demand_price_per_hour_usd: 0.45
                    price_source: provider page
                    price_as_of: 2025-03
                    memory_gb: 384
                    cores: 96
                    memory_bandwidth_gbps: 230.4
                    bandwidth_source: measured with STREAM
                """);
        HardwareCatalog c = HardwareCatalog.load(f);
        assertEquals(List.of("a40", "l4", "cpu-32", "cpu-64", "cpu-96"), c.ids());
        Hardware a40 = c.get("a40");
        assertEquals(0.35, a40.spotPricePerHourUsd(), 0);
        assertEquals("my invoice", a40.priceSource());
        assertEquals("2025-03-01", a40.priceAsOf());
        assertEquals(696, a40.memoryBandwidthGBps(), 0, "fields not given are kept");
        assertEquals(96, c.get("cpu-96").cores());
        assertEquals(2, c.sources().size());
        assertTrue(c.sources().get(1).endsWith("mine.yaml"));
    }

    @Test
    void jsonNewEntryWithoutBandwidth() throws IOException {
        Path f = tmp.resolve("mine.json");
        Files.writeString(f, """
                {"schema_version": 1, "hardware": [{"id": "box", "name": "My box", "kind": "cpu",
                 "spot_price_per_hour_usd": 0, "on_demand_price_per_hour_usd": 0.1, "price_source": "guess",
                 "price_as_of": "2025-01", "memory_gb": 64}]}
                """);
        Hardware h = HardwareCatalog.load(f).get("box");
        assertNull(h.memoryBandwidthGBps());
        assertNull(h.cores());
    }

    @Test
    void badFilesAreClearErrors() throws IOException {
        assertError("""
                schema_version: 1
                hardware:
                  - id: gpu-x
                    name: X
                    kind: gpu
                    spot_price_per_hour_usd: -0.5
                    on_demand_price_per_hour_usd: 1
                    price_source: s
                    price_as_of: 2025-01
                    memory_gb: 10
                """, "hardware[0] (gpu-x): hardware gpu-x: spot price must be a finite number >= 0 USD/hr, got -0.5");
        assertError("""
                schema_version: 1
                hardware:
                  - id: a40
                    spot_price_per_hour_usd: 0.3
                """, "hardware[0] (a40): a price needs 'price_source' and 'price_as_of' beside it");
        assertError("""
                schema_version: 1
                hardware:
                  - id: new-one
                    name: N
                """, "hardware[0] (new-one) (a new entry): missing field 'kind'");
        assertError("""
                schema_version: 1
                hardware:
                  - id: a40
                    spot_price: 0.3
                """, "unknown field 'spot_price'");
        assertError("schema_version: 2\nhardware: []\n", "schema_version 2 is not supported");
        assertError("schema_version: 1\nhardware: []\n", "'hardware' is empty");
        assertError("hardware: [\n", "not valid YAML");
    }

    private void assertError(String yaml, String expected) throws IOException {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, yaml);
        var e = assertThrows(InputException.class, () -> HardwareCatalog.load(f));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("bad.yaml"), e.getMessage());
    }
}
