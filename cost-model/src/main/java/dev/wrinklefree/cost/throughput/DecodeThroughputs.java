package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.jmh.ScoreUnit;
import dev.wrinklefree.cost.stats.Summary;

import java.util.ArrayList;
import java.util.List;

/** Measured tokens per second from decode benchmarks (see {@link DecodeMapping}). */
public final class DecodeThroughputs {
    private DecodeThroughputs() {
    }

    /**
     * One figure per matching benchmark: the median over measurement iterations of ops/s x batch.
     *
     * @param defaultModel model id to assume when a benchmark has no model parameter (may be {@code null})
     * @throws InputException when a matching benchmark's unit is not a throughput or time unit, or a
     *     threads/batch parameter is not a positive whole number
     */
    public static List<Throughput> from(JmhResultSet results, DecodeMapping mapping, String defaultModel) {
        List<Throughput> out = new ArrayList<>();
        for (JmhResult r : results.matching(mapping::matches)) {
            ScoreUnit unit = r.primary().unit();
            if (!unit.isThroughput() && !unit.isTimePerOp()) {
                throw new InputException(r.source() + ": " + r.id() + ": decode benchmark score unit '" + unit.text()
                        + "' is neither ops/time nor time/op");
            }
            int threads = positiveInt(r, mapping.threadsParam(), r.threads());
            int batch = positiveInt(r, mapping.batchParam(), 1);
            double[] it = r.primary().iterationValues();
            double[] tps = new double[it.length];
            for (int i = 0; i < it.length; i++) {
                tps[i] = unit.toOpsPerSecond(it[i]) * batch;
            }
            Summary s = Summary.of(tps);
            if (s.n() == 0) {
                throw new InputException(r.source() + ": " + r.id() + ": no measurement iterations");
            }
            List<String> notes = new ArrayList<>();
            notes.add("one JMH op = one decode step = " + batch + " token" + (batch == 1 ? "" : "s") + "; figure = median of "
                    + s.n() + " iteration" + (s.n() == 1 ? "" : "s") + " (" + unit.text() + " converted per iteration)");
            String model = r.id().param(mapping.modelParam());
            if (model == null) {
                model = defaultModel;
                if (model != null) {
                    notes.add("benchmark has no '" + mapping.modelParam() + "' parameter; model assumed to be " + model);
                }
            }
            out.add(new Throughput(model, r.id().param(mapping.formatParam()), r.id().param(mapping.backendParam()),
                    threads, batch, s.median(), Method.MEASURED_DECODE, s, Double.NaN, Double.NaN, List.of(r.id()), notes));
        }
        return out;
    }

    static int positiveInt(JmhResult r, String param, int fallback) {
        String v = param == null ? null : r.id().param(param);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InputException(r.source() + ": " + r.id() + ": parameter '" + param + "' must be a whole number > 0, got '" + v + "'");
    }
}
