package dev.wrinklefree.kernels;

import dev.wrinklefree.kernels.scalar.ScalarKernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the kernel backend once: {@code native}, then {@code vector}, then {@code scalar}, the first
 * that is usable on this machine. A fallback records one line saying why (see {@link #selectionNote()}).
 *
 * <p>System property {@value #PROPERTY} ({@code scalar|vector|native}, optionally {@code backend:variant})
 * forces a backend; forcing one that cannot be used is an error, never a silent fallback.
 */
public final class Kernels {
    /** System property that forces a backend. */
    public static final String PROPERTY = "wrinklefree.kernel";

    private Kernels() {
    }

    /** Every known provider, in order of preference. */
    public static List<KernelProvider> providers() {
        List<KernelProvider> list = new ArrayList<>();
        for (String cls : new String[] {
                "dev.wrinklefree.kernels.ffm.NativeKernelProvider",
                "dev.wrinklefree.kernels.vector.VectorKernelProvider"}) {
            KernelProvider p = instantiate(cls);
            if (p != null) {
                list.add(p);
            }
        }
        list.add(new ScalarProvider());
        return list;
    }

    private static KernelProvider instantiate(String cls) {
        try {
            return (KernelProvider) Class.forName(cls).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return null; // backend not part of this build
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create kernel provider " + cls, e);
        }
    }

    /** The provider with this name. */
    public static KernelProvider provider(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> known = new ArrayList<>();
        for (KernelProvider p : providers()) {
            if (p.name().equals(n)) {
                return p;
            }
            known.add(p.name());
        }
        throw new IllegalArgumentException("unknown kernel backend '" + name + "' (known: " + String.join(", ", known) + ")");
    }

    /**
     * A kernel by name: {@code backend} or {@code backend:variant}.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when that backend cannot be used here (the message says why)
     */
    public static TernaryKernel byName(String spec) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        String backend = colon < 0 ? s : s.substring(0, colon);
        String variant = colon < 0 ? "" : s.substring(colon + 1);
        KernelProvider p = provider(backend);
        Optional<String> why = p.unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException("kernel backend '" + backend + "' is not usable: " + why.get());
        }
        return p.create(variant);
    }

    /** The kernel chosen for this JVM (forced by {@value #PROPERTY} or the best usable). */
    public static TernaryKernel preferred() {
        return Holder.KERNEL;
    }

    /** One line saying which backend was chosen and, for a fallback, why the better ones were not. */
    public static String selectionNote() {
        return Holder.NOTE;
    }

    private static final class Holder {
        static final TernaryKernel KERNEL;
        static final String NOTE;

        static {
            String forced = System.getProperty(PROPERTY);
            if (forced != null && !forced.isBlank()) {
                KERNEL = byName(forced);
                NOTE = "kernel backend '" + KERNEL.name() + "' (forced by -D" + PROPERTY + "=" + forced + ")";
            } else {
                TernaryKernel chosen = null;
                StringBuilder skipped = new StringBuilder();
                for (KernelProvider p : providers()) {
                    Optional<String> why = p.unavailableReason();
                    if (why.isEmpty()) {
                        chosen = p.create();
                        break;
                    }
                    skipped.append(skipped.isEmpty() ? "" : "; ").append(p.name()).append(" unavailable: ").append(why.get());
                }
                KERNEL = chosen;
                NOTE = "kernel backend '" + chosen.name() + "'" + (skipped.isEmpty() ? "" : " (" + skipped + ")");
            }
        }
    }

    private static final class ScalarProvider implements KernelProvider {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.empty();
        }

        @Override
        public TernaryKernel create() {
            return new ScalarKernel();
        }
    }
}
