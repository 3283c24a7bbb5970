package dev.wrinklefree.cost.model;

/**
 * One weight matrix a decode step multiplies by, for one token.
 *
 * @param name role ({@code q}, {@code gate}, {@code head}, ...)
 * @param rows M, output features
 * @param cols K, input features (the reduction axis)
 * @param countPerToken how many times per token (layers x active experts)
 * @param ternary whether it is a BitLinear (ternary) weight; the LM head is not
 */
public record Matmul(String name, int rows, int cols, int countPerToken, boolean ternary) {
    /** Weights in one matrix: M x K. */
    public long weights() {
        return (long) rows * cols;
    }

    /** {@code MxK} as the kernel benchmarks write shapes. */
    public String shape() {
        return rows + "x" + cols;
    }
}
