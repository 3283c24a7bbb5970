package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.runtime.generate.Sampler;
import dev.wrinklefree.runtime.gguf.GgmlType;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.model.ModelPresets;
import dev.wrinklefree.runtime.model.SyntheticModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimized decoder against the plain float oracle ({@link ReferenceDecoder}, activations snapped to the
 * same int8 grid) on tiny models of every architecture, format and head type: teacher-forced on the oracle's
 * greedy tokens, every step's logits must agree to the stated tolerance and the greedy choice must be the same
 * wherever the oracle's top-2 margin exceeds twice the largest difference seen.
 */
class DecoderVsReferenceTest {
    /**
     * Largest |logit difference| allowed, as a fraction of the largest |logit| of the step. The oracle keeps
     * K, V, Q and the softmax in F32 where the decoder (like bitnet.cpp) rounds them to F16; the int8 activation
     * grid turns those 5e-4 relative differences into a few flipped roundings per matmul, which the conformance
     * README measured at up to about 3 % of the largest logit (cosine >= 0.9995). Measured here: 1.1 to 3.2 %,
     * cosine >= 0.99955. A wrong RoPE pairing, head mapping or norm placement drops the cosine far below.
     */
    static final double MAX_ABS_FRACTION = 0.04;
    /** Smallest cosine similarity allowed at any step. */
    static final double MIN_COSINE = 0.999;
    static final int STEPS = 12;

    @TempDir
    static Path dir;

    record Case(String preset, TernaryFormat format, GgmlType head) {
        @Override
        public String toString() {
            return preset + " " + format + " " + head + " head";
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (String p : List.of("tiny", "tiny-gqa", "tiny-llama")) {
            for (TernaryFormat f : TernaryFormat.values()) {
                out.add(new Case(p, f, GgmlType.F16));
            }
        }
        out.add(new Case("tiny-gqa", TernaryFormat.TQ2_0, GgmlType.Q8_0));
        out.add(new Case("tiny-llama", TernaryFormat.I2_S, GgmlType.F32));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> syntheticModels() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Path file = dir.resolve(c.preset + "-" + c.format + "-" + c.head + ".gguf");
            SyntheticModel.write(new SyntheticModel.Spec(ModelPresets.byId(c.preset), c.format, c.head, 42), file, null);
            compare(file, 1);
        }));
    }

    @TestFactory
    Stream<DynamicTest> conformanceModels() throws IOException {
        return TinyModelConformanceTest.cases().stream()
                .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> compare(p, 2)));
    }

    static void compare(Path file, int threads) throws IOException {
        try (BitNetModel model = BitNetModel.open(file);
             Decoder dec = Decoder.create(model, DecoderOptions.defaults().withThreads(threads).withBatchSize(4))) {
            int[] prompt = model.tokenizer().encode("The capital of France is");
            int ctx = prompt.length + STEPS + 1;
            ReferenceDecoder ref = new ReferenceDecoder(model, ctx, ReferenceDecoder.ActivationQuant.FORMAT);
            Session s = dec.newSession(ctx);
            float[] refLogits = null;
            for (int t : prompt) {
                refLogits = ref.forward(t);
            }
            float[] logits = s.prefill(prompt);
            double worstFraction = 0;
            double minCos = 1;
            int checked = 0;
            for (int step = 0; step <= STEPS; step++) {
                TinyModelConformanceTest.Diff d = TinyModelConformanceTest.Diff.of(logits, refLogits);
                double maxLogit = 0;
                for (float r : refLogits) {
                    maxLogit = Math.max(maxLogit, Math.abs(r));
                }
                worstFraction = Math.max(worstFraction, d.maxAbs() / maxLogit);
                minCos = Math.min(minCos, d.cosine());
                int want = Sampler.argmax(refLogits);
                if (margin(refLogits) > 2 * d.maxAbs()) {
                    assertEquals(want, Sampler.argmax(logits), file.getFileName() + " step " + step + ": greedy token");
                    checked++;
                }
                if (step < STEPS) {
                    refLogits = ref.forward(want);
                    logits = s.decode(want);
                }
            }
            System.out.printf(Locale.ROOT, "reference vs decoder %s: max |dlogit| %.2f %% of max |logit|, min cosine %.6f,"
                    + " %d of %d greedy choices clear enough to compare%n", file.getFileName(), 100 * worstFraction, minCos,
                    checked, STEPS + 1);
            assertTrue(worstFraction <= MAX_ABS_FRACTION, file.getFileName() + ": max |logit difference| is "
                    + worstFraction + " of max |logit|");
            assertTrue(minCos >= MIN_COSINE, file.getFileName() + ": min cosine " + minCos);
            assertTrue(checked >= 3, file.getFileName() + ": only " + checked + " greedy choices were clear enough to compare");
        }
    }

    static double margin(float[] logits) {
        float a = Float.NEGATIVE_INFINITY;
        float b = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            if (x > a) {
                b = a;
                a = x;
            } else if (x > b) {
                b = x;
            }
        }
        return a - b;
    }
}
