package dev.wrinklefree.bench;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * What the matmul benchmarks share ({@link TernaryMatmulBenchmark}, {@link ColdRooflineBenchmark}): the shape
 * parameter, the warm-up on a small matrix, and the copies of one random matrix that make weights cold.
 */
final class MatmulFixture {
    /** Bytes the cold copies total at least, unless {@code -Dwrinklefree.bench.coldBytes} says otherwise. */
    static final long COLD_BYTES = Long.getLong("wrinklefree.bench.coldBytes", 1L << 30);

    private MatmulFixture() {
    }

    /** {@code {M, K}} of an {@code MxK} shape parameter. */
    static int[] shape(String shape) {
        int xAt = shape.indexOf('x');
        try {
            if (xAt > 0) {
                int m = Integer.parseInt(shape.substring(0, xAt));
                int k = Integer.parseInt(shape.substring(xAt + 1));
                if (m > 0 && k > 0) {
                    return new int[] {m, k};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("shape must be MxK with positive M and K, got '" + shape + "'");
    }

    /**
     * Runs the kernel on a small matrix for up to a second so that C2 has compiled its loops before JMH's
     * warm-up starts: interpreted Vector API code is about 1000x slower, and on a loaded machine the first
     * large-shape calls could otherwise use up every warm-up iteration.
     */
    static void warmUp(TernaryKernel k, TernaryFormat f, int batch, Arena arena) {
        int rows = 4 * Math.max(32, k.rowAlignment());
        int cols = 512;
        PreparedWeights w = k.prepare(SyntheticWeights.random(f, rows, cols, arena, 1));
        QuantizedActivations xs = QuantizedActivations.allocate(f, cols, batch);
        xs.quantize(SyntheticWeights.gaussian(new SplittableRandom(1), cols * batch), 0, batch);
        float[] out = new float[rows * batch];
        long end = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 20_000 && System.nanoTime() < end; i++) {
            xs.rows(batch);
            k.matmul(w, xs, out);
        }
    }

    /**
     * The prepared weights a benchmark cycles through: one matrix ({@code cold} false), or copies of it totalling
     * at least {@link #COLD_BYTES}, so that each call streams its weights from DRAM as in a decode step.
     */
    static PreparedWeights[] copies(TernaryKernel kernel, TernaryFormat f, int m, int k, int batch, boolean cold,
                                    Arena arena) {
        TernaryMatrix source = SyntheticWeights.random(f, m, k, arena, 42);
        PreparedWeights first = kernel.prepare(source);
        long perCopy = Math.max(source.byteSize(), first.bytesPerCall(batch));
        int n = cold ? (int) Math.max(2, (COLD_BYTES + perCopy - 1) / perCopy) : 1;
        PreparedWeights[] weights = new PreparedWeights[n];
        weights[0] = first;
        // Kernels that use the packed bytes in place need distinct bytes; kernels that repack get a distinct
        // layout from every prepare() (about 1 ns per weight: seconds for 1 GiB, hence in parallel).
        // bytesPerCall also builds a layout that a kernel makes on first use, here rather than in the timed loop.
        IntStream.range(1, n).parallel().forEach(i -> {
            weights[i] = first == source ? SyntheticWeights.copy(source, arena) : kernel.prepare(source);
            weights[i].bytesPerCall(batch);
        });
        return weights;
    }

    /** Activations of {@code batch} tokens of width {@code k}, quantized from a fixed Gaussian. */
    static QuantizedActivations activations(TernaryFormat f, int k, int batch) {
        QuantizedActivations x = QuantizedActivations.allocate(f, k, batch);
        x.quantize(SyntheticWeights.gaussian(new SplittableRandom(7), k * batch), 0, batch);
        return x;
    }
}
