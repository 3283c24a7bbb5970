package dev.wrinklefree.runtime.generate;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.runtime.decoder.Decoder;
import dev.wrinklefree.runtime.decoder.DecoderOptions;
import dev.wrinklefree.runtime.decoder.Session;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.model.ModelPresets;
import dev.wrinklefree.runtime.model.SyntheticModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws IOException {
        model = dir.resolve("tiny-gqa.gguf");
        SyntheticModel.write(new SyntheticModel.Spec(ModelPresets.byId("tiny-gqa"), TernaryFormat.TQ2_0, GgmlType.F16, 3),
                model, null);
    }

    static int[] run(Sampler sampler, int threads, int batch, int n) throws IOException {
        try (BitNetModel m = BitNetModel.open(model);
             Decoder d = Decoder.create(m, DecoderOptions.defaults().withThreads(threads).withBatchSize(batch))) {
            Session s = d.newSession(64);
            List<Integer> seen = new ArrayList<>();
            Generator.Result r = new Generator(s, m.tokenizer(), sampler).stopAtEndOfGeneration(false)
                    .generate(m.tokenizer().encode("Once upon a time"), n, (tok, i) -> seen.add(tok));
            assertEquals(n, r.generated().length);
            assertArrayEquals(r.generated(), seen.stream().mapToInt(Integer::intValue).toArray(), "listener saw every token");
            assertEquals(n - 1, r.stats().decodeSteps());
            assertEquals(n - 1, r.stats().stepLatency().getTotalCount());
            assertEquals(Generator.StopReason.LENGTH, r.stopped());
            return r.generated();
        }
    }

    @Test
    void sameSeedSameTokens() throws IOException {
        int[] a = run(Sampler.of(8f, 0.95f, 7), 1, 8, 20);
        int[] b = run(Sampler.of(8f, 0.95f, 7), 1, 8, 20);
        assertArrayEquals(a, b);
        int[] c = run(Sampler.of(8f, 0.95f, 8), 1, 8, 20);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c), "another seed samples another sequence");
    }

    @Test
    void greedyIsIndependentOfThreadsAndBatching() throws IOException {
        int[] one = run(Sampler.greedy(), 1, 128, 12);
        assertArrayEquals(one, run(Sampler.greedy(), 2, 128, 12), "2 threads");
        assertArrayEquals(one, run(Sampler.greedy(), 3, 3, 12), "3 threads, prompt in batches of 3");
    }

    @Test
    void contextLimitStopsGeneration() throws IOException {
        try (BitNetModel m = BitNetModel.open(model); Decoder d = Decoder.create(m, DecoderOptions.defaults())) {
            int[] prompt = m.tokenizer().encode("abc");
            Session s = d.newSession(prompt.length + 3);
            Generator.Result r = new Generator(s, m.tokenizer(), Sampler.greedy()).stopAtEndOfGeneration(false)
                    .generate(prompt, 10, (t, i) -> { });
            assertEquals(Generator.StopReason.CONTEXT_FULL, r.stopped());
            assertEquals(4, r.generated().length, "3 decode steps fit after the prompt, plus the token from its logits");
            assertThrows(IllegalArgumentException.class, () -> s.decode(1));
            assertThrows(IllegalArgumentException.class, () -> d.newSession(100_000));
        }
    }

    @Test
    void samplerDistributions() {
        float[] logits = {0f, 5f, 4.9f, -3f};
        assertEquals(1, Sampler.greedy().sample(logits));
        assertEquals(1, Sampler.argmax(new float[] {1f, 2f, 2f}), "lowest id on ties");
        // top-p 0.5 keeps only the best token here (its probability is above 0.5)
        Sampler nucleus = Sampler.of(1f, 0.5f, 1);
        for (int i = 0; i < 200; i++) {
            assertEquals(1, nucleus.sample(logits));
        }
        // With temperature 1 and no cut, tokens 1 and 2 come up about equally, token 3 almost never.
        Sampler s = Sampler.of(1f, 1f, 123);
        int[] counts = new int[4];
        for (int i = 0; i < 20000; i++) {
            counts[s.sample(logits)]++;
        }
        assertTrue(counts[1] > 9000 && counts[2] > 8000, Arrays.toString(counts));
        assertTrue(counts[3] < 20, Arrays.toString(counts));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(-1f, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of(1f, 0f, 0));
    }

    @Test
    void utf8StreamHoldsBackSplitCharacters() {
        Utf8Stream u = new Utf8Stream();
        byte[] bytes = "é東🦙".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(u.push(new byte[] {b}));
        }
        assertEquals("é東🦙", sb.toString());
        assertEquals("", u.push(new byte[] {(byte) 0xE6}));
        assertEquals("\uFFFD", u.flush());
    }
}
