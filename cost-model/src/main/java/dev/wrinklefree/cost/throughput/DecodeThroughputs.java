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
     * One generation figure per matching benchmark in the decode phase (or without a phase parameter): the
     * median over measurement iterations of ops/s x batch. Prefill results are left out (see {@link #prompt}).
     *
     * @param defaultModel model id to assume when a benchmark has no model parameter (may be {@code null})
     * @throws InputException when a matching benchmark's unit is not a throughput or time unit, a
     *     threads/batch/context parameter is not a positive whole number, or the phase is unknown
     */
    public static List<Throughput> from(JmhResultSet results, DecodeMapping mapping, String defaultModel) {
        return read(results, mapping, defaultModel, DecodeMapping.Phase.DECODE);
    }

    /**
     * Prompt-processing figures: one per matching benchmark in the prefill phase, tokens/s = ops/s (one op
     * is one prompt token), {@link Method#MEASURED_PREFILL}. Not generation: never priced as output tokens.
     *
     * @throws InputException as {@link #from}
     */
    public static List<Throughput> prompt(JmhResultSet results, DecodeMapping mapping, String defaultModel) {
        return read(results, mapping, defaultModel, DecodeMapping.Phase.PREFILL);
    }

    private static List<Throughput> read(JmhResultSet results, DecodeMapping mapping, String defaultModel, DecodeMapping.Phase want) {
        List<Throughput> out = new ArrayList<>();
        for (JmhResult r : results.matching(mapping::matches)) {
            DecodeMapping.Phase phase;
            try {
                phase = DecodeMapping.phase(mapping.phaseParam() == null ? null : r.id().param(mapping.phaseParam()));
            } catch (IllegalArgumentException e) {
                throw new InputException(r.source() + ": " + r.id() + ": parameter '" + mapping.phaseParam() + "': " + e.getMessage());
            }
            if (phase != want) {
                continue;
            }
            ScoreUnit unit = r.primary().unit();
            if (!unit.isThroughput() && !unit.isTimePerOp()) {
                throw new InputException(r.source() + ": " + r.id() + ": decode benchmark score unit '" + unit.text()
                        + "' is neither ops/time nor time/op");
            }
            int threads = positiveInt(r, mapping.threadsParam(), r.threads());
            int batch = phase == DecodeMapping.Phase.DECODE ? positiveInt(r, mapping.batchParam(), 1) : 1;
            int context = positiveInt(r, mapping.contextParam(), -1);
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
            String iterations = "; figure = median of " + s.n() + " iteration" + (s.n() == 1 ? "" : "s") + " (" + unit.text() + " converted per iteration)";
            if (phase == DecodeMapping.Phase.DECODE) {
                notes.add("one JMH op = one decode step = " + batch + " token" + (batch == 1 ? "" : "s")
                        + (context > 0 ? " at a context of " + context + " tokens" : "") + iterations);
            } else {
                notes.add("prompt processing (prefill): one JMH op = one prompt token" + iterations + "; not generated tokens, not priced");
            }
            String model = r.id().param(mapping.modelParam());
            if (model == null) {
                model = defaultModel;
                if (model != null) {
                    notes.add("benchmark has no '" + mapping.modelParam() + "' parameter; model assumed to be " + model);
                }
            }
            String head = mapping.headParam() == null ? null : r.id().param(mapping.headParam());
            out.add(new Throughput(model, r.id().param(mapping.formatParam()), r.id().param(mapping.backendParam()),
                    threads, batch, s.median(), phase == DecodeMapping.Phase.DECODE ? Method.MEASURED_DECODE : Method.MEASURED_PREFILL,
                    s, Double.NaN, Double.NaN, List.of(r.id()), notes, head, context));
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
