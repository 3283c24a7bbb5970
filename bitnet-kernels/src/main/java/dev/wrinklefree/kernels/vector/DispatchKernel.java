package dev.wrinklefree.kernels.vector;

import dev.wrinklefree.kernels.PreparedWeights;
import dev.wrinklefree.kernels.QuantizedActivations;
import dev.wrinklefree.kernels.TernaryFormat;
import dev.wrinklefree.kernels.TernaryKernel;
import dev.wrinklefree.kernels.TernaryMatrix;

/** The default Vector API kernel: the fastest strategy per format and batch size. */
final class DispatchKernel implements TernaryKernel {
    private final LutKernel lut = new LutKernel();

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public boolean supports(TernaryFormat format) {
        return true;
    }

    @Override
    public int rowAlignment() {
        return lut.rowAlignment();
    }

    @Override
    public PreparedWeights prepare(TernaryMatrix w) {
        return lut.prepare(w);
    }

    @Override
    public void matmul(PreparedWeights w, QuantizedActivations x, float[] y, int yOffset, int rowStart, int rowEnd) {
        lut.matmul(w, x, y, yOffset, rowStart, rowEnd);
    }
}
