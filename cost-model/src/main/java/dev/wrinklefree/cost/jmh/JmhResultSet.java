package dev.wrinklefree.cost.jmh;

import dev.wrinklefree.cost.io.InputException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** JMH results keyed by {@link BenchmarkId}, in file order. Immutable. */
public final class JmhResultSet {
    private final Map<BenchmarkId, JmhResult> byId;
    private final List<String> sources;

    private JmhResultSet(Map<BenchmarkId, JmhResult> byId, List<String> sources) {
        this.byId = Collections.unmodifiableMap(byId);
        this.sources = List.copyOf(sources);
    }

    /**
     * A set of results.
     *
     * @throws InputException when two results have the same identity (naming both sources)
     */
    public static JmhResultSet of(List<JmhResult> results) {
        Map<BenchmarkId, JmhResult> m = new LinkedHashMap<>();
        List<String> sources = new ArrayList<>();
        for (JmhResult r : results) {
            JmhResult old = m.putIfAbsent(r.id(), r);
            if (old != null) {
                throw new InputException("benchmark " + r.id() + " appears twice (in " + old.source() + " and " + r.source()
                        + "); pass one run per benchmark and parameter set");
            }
            if (!sources.contains(r.source())) {
                sources.add(r.source());
            }
        }
        return new JmhResultSet(m, sources);
    }

    /** This set and {@code other} together (identities must not overlap). */
    public JmhResultSet plus(JmhResultSet other) {
        List<JmhResult> all = new ArrayList<>(byId.values());
        all.addAll(other.results());
        return of(all);
    }

    /** Every result, in file order. */
    public List<JmhResult> results() {
        return List.copyOf(byId.values());
    }

    /** The result of this identity, or {@code null}. */
    public JmhResult get(BenchmarkId id) {
        return byId.get(id);
    }

    /** The results whose benchmark name (fully qualified method) satisfies {@code test}. */
    public List<JmhResult> matching(Predicate<String> benchmarkName) {
        return byId.values().stream().filter(r -> benchmarkName.test(r.id().benchmark())).toList();
    }

    /** Number of results. */
    public int size() {
        return byId.size();
    }

    /** True when there are no results. */
    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The files the results came from, in order. */
    public List<String> sources() {
        return sources;
    }
}
