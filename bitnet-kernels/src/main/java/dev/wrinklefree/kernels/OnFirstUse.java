package dev.wrinklefree.kernels;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on the first {@link #get()}, once, whichever thread asks first: for weight layouts that a kernel
 * makes only when a call needs them (the batch layouts of {@code vector} and {@code native:lut}). The threads of
 * one parallel matmul all ask at once; they wait for the one build.
 *
 * @param <T> the value
 */
public final class OnFirstUse<T> {
    private final Supplier<? extends T> build;
    private volatile T value;

    /** @param build makes the value (called at most once, unless it throws) */
    public OnFirstUse(Supplier<? extends T> build) {
        this.build = Objects.requireNonNull(build, "build");
    }

    /** The value, built now if this is the first call. */
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = Objects.requireNonNull(build.get(), "built value");
                    value = v;
                }
            }
        }
        return v;
    }

    /** The value if it has been built, else null; never builds it. */
    public T ifBuilt() {
        return value;
    }
}
