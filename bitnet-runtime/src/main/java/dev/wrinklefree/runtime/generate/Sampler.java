package dev.wrinklefree.runtime.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (argmax, lowest id on ties) or sampled with a temperature and
 * nucleus (top-p) cut, from a seeded generator so a run can be repeated exactly.
 *
 * <p>Buffers are allocated once for the vocabulary size; {@link #sample} allocates nothing. Not thread-safe.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final SplittableRandom random;
    private float[] probs = new float[0];
    private long[] keys = new long[0];

    private Sampler(float temperature, float topP, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** Always the most likely token. */
    public static Sampler greedy() {
        return new Sampler(0f, 1f, 0);
    }

    /**
     * @param temperature 0 for greedy, else the softmax temperature (&gt; 0)
     * @param topP        nucleus mass in (0, 1]; 1 keeps every token
     * @param seed        seed of the random generator
     */
    public static Sampler of(float temperature, float topP, long seed) {
        return new Sampler(temperature, topP, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** The index of the largest value (the lowest index on ties); NaN never wins. */
    public static int argmax(float[] logits) {
        int best = 0;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] > bv) {
                bv = logits[i];
                best = i;
            }
        }
        return best;
    }

    /** Chooses a token id from {@code logits} (not modified). */
    public int sample(float[] logits) {
        if (temperature == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        if (probs.length != n) {
            probs = new float[n];
            keys = new long[n];
        }
        float max = logits[argmax(logits)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float p = (float) Math.exp((logits[i] - max) / temperature);
            probs[i] = p;
            sum += p;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            probs[i] *= inv;
        }
        if (topP >= 1f) {
            return draw(n);
        }
        // Only tokens above (1 - p) / (n - 1) can be in the nucleus; sort just those (as llama2.c does).
        float cutoff = (1f - topP) / Math.max(1, n - 1);
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (probs[i] >= cutoff) {
                // Positive floats order like their bits; the low half breaks ties toward lower ids.
                keys[m++] = ((long) Float.floatToIntBits(probs[i]) << 32) | (0xFFFF_FFFFL - i);
            }
        }
        Arrays.sort(keys, 0, m);
        double cum = 0;
        int last = m - 1;
        for (int j = m - 1; j >= 0; j--) {
            cum += Float.intBitsToFloat((int) (keys[j] >>> 32));
            if (cum >= topP) {
                last = j;
                break;
            }
            last = j;
        }
        double r = random.nextDouble() * cum;
        double acc = 0;
        for (int j = m - 1; j >= last; j--) {
            acc += Float.intBitsToFloat((int) (keys[j] >>> 32));
            if (r < acc) {
                return (int) (0xFFFF_FFFFL - (keys[j] & 0xFFFF_FFFFL));
            }
        }
        return (int) (0xFFFF_FFFFL - (keys[last] & 0xFFFF_FFFFL));
    }

    private int draw(int n) {
        double r = random.nextDouble();
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += probs[i];
            if (r < acc) {
                return i;
            }
        }
        return argmax(probs);
    }

    @Override
    public String toString() {
        return isGreedy() ? "greedy" : "temperature " + temperature + ", top-p " + topP;
    }
}
