package dev.wrinklefree.cost.throughput;

import dev.wrinklefree.cost.io.InputException;
import dev.wrinklefree.cost.jmh.BenchmarkId;
import dev.wrinklefree.cost.jmh.JmhResult;
import dev.wrinklefree.cost.jmh.JmhResultSet;
import dev.wrinklefree.cost.jmh.ScoreUnit;
import dev.wrinklefree.cost.model.WeightFormat;
import dev.wrinklefree.cost.stats.Summary;

import java.util.ArrayList;
import java.util.List;

/**
 * What one kernel benchmark measured, in the units kernel engineers compare.
 *
 * @param id the benchmark
 * @param format weight format
 * @param backend backend, or {@code null}
 * @param rows M of the shape
 * @param cols K of the shape
 * @param batch activation rows per op, {@code >= 1}
 * @param threads threads, {@code >= 1}
 * @param residency where the weights lived, or {@code null}
 * @param opsPerSecond matmuls per second per iteration
 * @param weightsPerSecond median weights x batch per second (one multiply-accumulate each)
 * @param bytesPerSecond median packed weight bytes per second (weights read once per op)
 */
public record KernelFigure(BenchmarkId id, WeightFormat format, String backend, int rows, int cols, int batch, int threads,
                           String residency, Summary opsPerSecond, double weightsPerSecond, double bytesPerSecond) {

    /** Weights per op: M x K. */
    public long weights() {
        return (long) rows * cols;
    }

    /** {@code MxK}. */
    public String shape() {
        return rows + "x" + cols;
    }

    /**
     * Core clock cycles per 32 weights (per activation row), given the clock: {@code clockHz x threads x 32 /
     * weights per second}. Lower is better; meaningful only when the clock is known and steady.
     */
    public double cyclesPer32Weights(double clockGhz) {
        return clockGhz * 1e9 * threads * 32.0 / weightsPerSecond;
    }

    /**
     * Reads every kernel benchmark of {@code results} that {@code mapping} matches.
     *
     * @throws InputException when a shape is not {@code MxK}, a format is unknown, or the unit is not a
     *     throughput or time unit
     */
    public static List<KernelFigure> from(JmhResultSet results, KernelMapping mapping) {
        List<KernelFigure> out = new ArrayList<>();
        for (JmhResult r : results.matching(mapping::matches)) {
            String where = r.source() + ": " + r.id();
            String shape = r.id().param(mapping.shapeParam());
            if (shape == null) {
                throw new InputException(where + ": kernel benchmark has no '" + mapping.shapeParam() + "' parameter (expected MxK)");
            }
            String[] mk = shape.toLowerCase(java.util.Locale.ROOT).split("x");
            int m;
            int k;
            try {
                if (mk.length != 2) {
                    throw new NumberFormatException();
                }
                m = Integer.parseInt(mk[0].strip());
                k = Integer.parseInt(mk[1].strip());
                if (m <= 0 || k <= 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new InputException(where + ": parameter '" + mapping.shapeParam() + "' must be MxK with positive M and K, got '" + shape + "'");
            }
            String fmt = r.id().param(mapping.formatParam());
            WeightFormat format;
            try {
                format = WeightFormat.parse(fmt == null ? "" : fmt);
            } catch (IllegalArgumentException e) {
                throw new InputException(where + ": parameter '" + mapping.formatParam() + "': " + e.getMessage());
            }
            ScoreUnit unit = r.primary().unit();
            if (!unit.isThroughput() && !unit.isTimePerOp()) {
                throw new InputException(where + ": kernel benchmark score unit '" + unit.text() + "' is neither ops/time nor time/op");
            }
            int batch = DecodeThroughputs.positiveInt(r, mapping.batchParam(), 1);
            int threads = DecodeThroughputs.positiveInt(r, mapping.threadsParam(), r.threads());
            double[] it = r.primary().iterationValues();
            double[] ops = new double[it.length];
            for (int i = 0; i < it.length; i++) {
                ops[i] = unit.toOpsPerSecond(it[i]);
            }
            Summary s = Summary.of(ops);
            double weights = (double) m * k;
            out.add(new KernelFigure(r.id(), format, r.id().param(mapping.backendParam()), m, k, batch, threads,
                    r.id().param(mapping.residencyParam()), s, s.median() * weights * batch, s.median() * format.bytesFor((long) m * k)));
        }
        return out;
    }
}
