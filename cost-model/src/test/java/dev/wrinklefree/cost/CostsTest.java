package dev.wrinklefree.cost;

import dev.wrinklefree.cost.report.Fmt;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostsTest {
    @Test
    void seedExampleRecord() {
        // The seed's example: 150.5 tok/s on an A40 at $0.39/hr -> $0.72, $1.03, $1.44 per 1M tokens.
        CostEstimate e = CostEstimate.of(PriceKind.SPOT, 0.39, 150.5, UtilizationScenario.defaults());
        assertEquals(0.39 / (150.5 * 3600) * 1e6, e.costPerMillionTokensUsd(), 1e-15);
        assertEquals("$0.72", Fmt.usd(e.costPerMillionTokensUsd()));
        assertEquals("$0.72", Fmt.usd(e.atScenario("batch")));
        assertEquals("$1.03", Fmt.usd(e.atScenario("steady-api")));
        assertEquals("$1.44", Fmt.usd(e.atScenario("interactive")));
        // Unrounded inside: 0.7198..., 1.0283..., 1.4396...
        assertEquals(0.719822, e.costPerMillionTokensUsd(), 1e-6);
        assertEquals(1.028318, e.atScenario("steady-api"), 1e-6);
        assertEquals(1.439645, e.atScenario("interactive"), 1e-6);
    }

    @Test
    void tokensPerHour() {
        assertEquals(541_800.0, Costs.tokensPerHour(150.5), 1e-9);
    }

    @Test
    void badInputsAreClearErrors() {
        var neg = assertThrows(IllegalArgumentException.class, () -> Costs.costPerMillionTokensUsd(-0.39, 150.5));
        assertTrue(neg.getMessage().contains("price per hour"), neg.getMessage());
        var zero = assertThrows(IllegalArgumentException.class, () -> Costs.costPerMillionTokensUsd(0.39, 0));
        assertTrue(zero.getMessage().contains("tokens per second"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Costs.costPerMillionTokensUsd(0.39, Double.NaN));
        var u0 = assertThrows(IllegalArgumentException.class, () -> Costs.atUtilization(1.0, 0));
        assertTrue(u0.getMessage().contains("(0, 1]"), u0.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Costs.atUtilization(1.0, 1.01));
        assertThrows(IllegalArgumentException.class, () -> new UtilizationScenario("x", -0.5, ""));
    }

    @Test
    void userScenarios() {
        assertEquals(0.3, UtilizationScenario.parse("nightly=0.3").utilization(), 0);
        assertEquals("nightly", UtilizationScenario.parse("nightly=0.3").name());
        assertEquals(0.25, UtilizationScenario.parse("25%").utilization(), 1e-12);
        assertEquals("u25", UtilizationScenario.parse("25%").name());
        assertThrows(IllegalArgumentException.class, () -> UtilizationScenario.parse("x=0"));
        assertThrows(IllegalArgumentException.class, () -> UtilizationScenario.parse("x=150%"));
        assertThrows(IllegalArgumentException.class, () -> UtilizationScenario.parse("lots"));
        List<UtilizationScenario> all = UtilizationScenario.defaultsPlus(List.of(UtilizationScenario.parse("nightly=0.3")));
        assertEquals(List.of("batch", "steady-api", "interactive", "nightly"), all.stream().map(UtilizationScenario::name).toList());
        CostEstimate e = CostEstimate.of(PriceKind.ON_DEMAND, 0.69, 150.5, all);
        assertEquals(e.costPerMillionTokensUsd() / 0.3, e.atScenario("nightly"), 1e-12);
    }
}
