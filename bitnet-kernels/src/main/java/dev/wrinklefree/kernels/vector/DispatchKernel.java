package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;

/**
 * The default Vector API kernel ({@code vector}): per format, the strategy that measured fastest.
 *
 * <p>At 512 bits (AVX-512) {@code lut} wins every format at every batch size by 3-5x (about 100 G
 * weights/s per core against 15-30 for {@code swar}; see the README's kernel table). Narrower, where
 * a 16-bit permute over 32 entries is not one instruction, {@code lut} still wins TQ1_0 and TQ2_0 but
 * {@code swar} wins I2_S (measured with {@code -XX:UseAVX=2}). Batch size does not change the ranking,
 * so the choice is per format only and {@link #prepare} builds a single layout.
 */
final class DispatchKernel implements TernaryKernel {
    private final LutKernel lut = new LutKernel();
    private final StreamKernel swar = new StreamKernel(StreamKernel.Unpack.SWAR);

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    /** The strategy used for {@code format}. */
    TernaryKernel strategy(TernaryFormat format) {
        if (VectorWidth.BITS < 512 && format == TernaryFormat.I2_S) {
            return swar;
        }
        return lut;
    }

    @Override
    public int rowAlignment() {
        return lut.rowAlignment();
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix w) {
        return strategy(w.format()).prepare(w);
    }

    @Override
    public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        strategy(w.matrix().format()).matmul(w, x, y, yOffset, rowStart, rowEnd);
    }
}
