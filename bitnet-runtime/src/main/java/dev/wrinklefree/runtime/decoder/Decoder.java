package dev.wrinklefree.runtime.decoder;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;
import dev.wrinklefree.runtime.model.BitNetModel;
import dev.wrinklefree.runtime.parallel.ThreadTeam;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A BitNet model made ready to run on one kernel backend: weights prepared by the kernel (once), a team
 * of threads. {@link #newSession} gives the per-conversation state (KV cache, buffers).
 *
 * <p>Sessions of one decoder share its threads: run one session at a time (a second concurrent call
 * fails fast rather than corrupting state). Create several decoders for concurrent sessions.
 */
public final class Decoder implements AutoCloseable {
    private final BitNetModel model;
    private final DecoderOptions options;
    private final PreparedWeights[][] prepared;
    private final ThreadTeam team;
    private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

    private Decoder(BitNetModel model, DecoderOptions options) {
        this.model = model;
        this.options = options;
        TernaryKernel k = options.kernel();
        this.prepared = new PreparedWeights[model.config().layers()][];
        List<int[]> jobs = new ArrayList<>();
        for (int l = 0; l < prepared.length; l++) {
            List<TernaryMatrix> ms = model.layer(l).matrices();
            prepared[l] = new PreparedWeights[ms.size()];
            for (int i = 0; i < ms.size(); i++) {
                TernaryMatrix m = ms.get(i);
                if (!k.supports(m.format())) {
                    throw new IllegalArgumentException("kernel '" + k.name() + "' does not support " + m.format()
                            + " (layer " + l + "); choose another backend");
                }
                jobs.add(new int[] {l, i});
            }
        }
        this.team = new ThreadTeam(options.threads());
        // A repacking kernel's prepare is the bulk of opening a model (native:lut: ~0.25 ns a weight, half a
        // second for bitnet-2b-4t on one thread): the team's threads share it, matrix by matrix.
        AtomicInteger next = new AtomicInteger();
        try {
            team.run((member, members) -> {
                for (int j = next.getAndIncrement(); j < jobs.size(); j = next.getAndIncrement()) {
                    int[] job = jobs.get(j);
                    prepared[job[0]][job[1]] = k.prepare(model.layer(job[0]).matrices().get(job[1]));
                }
            });
        } catch (RuntimeException | Error e) {
            team.close();
            throw e;
        }
    }

    /**
     * Prepares a model for a kernel.
     *
     * @throws IllegalArgumentException if the kernel does not compute the model's ternary format
     */
    public static Decoder create(BitNetModel model, DecoderOptions options) {
        return new Decoder(Objects.requireNonNull(model, "model"), Objects.requireNonNull(options, "options"));
    }

    /**
     * A new session with a KV cache for {@code contextLength} tokens, allocated now, once.
     *
     * @param contextLength positions the session can hold, 1 to the model's trained context
     */
    public Session newSession(int contextLength) {
        int max = model.config().contextLength();
        if (contextLength < 1 || contextLength > max) {
            throw new IllegalArgumentException("context length must be in [1, " + max + "] for " + model.config().name()
                    + ", got " + contextLength);
        }
        return new Session(this, contextLength);
    }

    public BitNetModel model() {
        return model;
    }

    public DecoderOptions options() {
        return options;
    }

    public TernaryKernel kernel() {
        return options.kernel();
    }

    /** Weights of layer {@code l} as the kernel prepared them, in the order q, k, v, o, gate, up, down. */
    PreparedWeights[] prepared(int l) {
        return prepared[l];
    }

    ThreadTeam team() {
        return team;
    }

    void enter() {
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("another session of this decoder is running; sessions of one decoder"
                    + " must run one at a time");
        }
    }

    void exit() {
        busy.set(false);
    }

    /** Bytes the kernel's preparation added beyond the mapped weights (repacked layouts). */
    public long preparedExtraBytes() {
        long n = 0;
        for (PreparedWeights[] l : prepared) {
            for (PreparedWeights w : l) {
                n += w.extraBytes();
            }
        }
        return n;
    }

    /**
     * Whether the decoder's own dense work (LM head, attention, norms) runs on the Vector API. False when the
     * {@code jdk.incubator.vector} module is not in the boot layer (add {@code --add-modules jdk.incubator.vector})
     * or when {@code -Dwrinklefree.decoder.vector=false} forces the scalar path.
     */
    public static boolean vectorized() {
        return Ops.VECTOR;
    }

    /** A one-line description: model, kernel, threads, dense path. */
    public String describe() {
        return model + ", kernel " + kernel().name() + ", " + options.threads() + " thread(s), dense ops " + Ops.describe()
                + (LmHead.nativeRuns(kernel(), model.head().type()) ? ", native LM head" : "");
    }

    /** Stops the worker threads. Does not close the model. */
    @Override
    public void close() {
        team.close();
    }
}
