package dev.wrinklefree.cost.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures of MODELS.md, recomputed from the shapes. */
class ModelCatalogTest {
    @Test
    void parameterCounts() {
        ModelSpec b = ModelCatalog.get("bitnet-2b-4t");
        assertEquals(2_084_044_800L, b.linearParams());
        assertEquals(2_084_044_800L, b.activeLinearParams());
        assertEquals(328_335_360L, b.embeddingParams());
        assertEquals(0, b.separateHeadParams());
        assertEquals(2_412_820_480L, b.totalParams());

        ModelSpec l8 = ModelCatalog.get("llama3-8b-1.58");
        assertEquals(6_979_321_856L, l8.linearParams());
        assertEquals(525_336_576L, l8.separateHeadParams());
        assertEquals(8_030_261_248L, l8.totalParams());

        ModelSpec l70 = ModelCatalog.get("llama-3.1-70b");
        assertEquals(68_451_041_280L, l70.linearParams());
        assertEquals(70_553_706_496L, l70.totalParams());

        ModelSpec mx = ModelCatalog.get("mixtral-8x7b");
        assertEquals(46_439_333_888L, mx.linearParams());
        assertEquals(12_616_466_432L, mx.activeLinearParams());
        assertEquals(46_702_792_704L, mx.totalParams());
    }

    @Test
    void shapesPerToken() {
        var mm = ModelCatalog.get("bitnet-2b-4t").matmulsPerToken();
        assertEquals("2560x2560", mm.get(0).shape());
        assertEquals("640x2560", mm.get(1).shape());
        assertEquals("6912x2560", mm.get(4).shape());
        assertEquals("2560x6912", mm.get(6).shape());
        assertEquals("128256x2560", mm.get(7).shape());
        assertEquals(30, mm.get(0).countPerToken());
        assertEquals(1, mm.get(7).countPerToken());
        assertEquals(2 * 32, ModelCatalog.get("mixtral-8x7b").matmulsPerToken().get(4).countPerToken());
    }

    @Test
    void bytesPerDecodeStep() {
        ModelSpec b = ModelCatalog.get("bitnet-2b-4t");
        // MODELS.md: body 0.521 GB at 2 bits/weight, head 0.657 GB at f16, 0.349 at Q8_0, 0.269 at Q6_K; KV 75 KiB per token.
        ByteBudget f16 = new ByteBudget(WeightFormat.I2_S, WeightFormat.F16, 2, 0);
        assertEquals(0.521, f16.bodyBytesPerToken(b) / 1e9, 0.0005);
        assertEquals(0.657, f16.headBytesPerToken(b) / 1e9, 0.0005);
        assertEquals(0.349, f16.withHeadFormat(WeightFormat.Q8_0).headBytesPerToken(b) / 1e9, 0.0005);
        assertEquals(0.269, f16.withHeadFormat(WeightFormat.Q6_K).headBytesPerToken(b) / 1e9, 0.0005);
        assertEquals(75 * 1024, b.kvCacheBytesPerToken(2), 0);
        ByteBudget ctx = f16.withContextTokens(1000);
        assertEquals(f16.bytesPerToken(b) + 1000 * 75 * 1024, ctx.bytesPerToken(b), 1e-3);
        assertTrue(ctx.memoryBytes(b) > ctx.bytesPerToken(b));
    }

    @Test
    void unknownModelListsKnown() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelCatalog.get("gpt-5"));
        assertTrue(e.getMessage().contains("bitnet-2b-4t, llama3-8b-1.58"), e.getMessage());
    }

    @Test
    void formatsMatchTheirBlocks() {
        assertEquals(2.0625, WeightFormat.TQ2_0.bitsPerWeight(), 0);
        assertEquals(1.6875, WeightFormat.TQ1_0.bitsPerWeight(), 0);
        assertEquals(WeightFormat.I2_S, WeightFormat.parse("i2_s"));
        assertEquals(WeightFormat.TQ2_0, WeightFormat.parse("TQ2-0"));
        assertThrows(IllegalArgumentException.class, () -> WeightFormat.parse("q3"));
    }
}
