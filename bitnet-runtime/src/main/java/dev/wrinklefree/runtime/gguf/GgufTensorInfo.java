package dev.wrinklefree.runtime.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as a GGUF file describes it.
 *
 * @param name       the tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param type       its ggml type
 * @param shape      dimensions, innermost first ({@code ne0} = the row length K of a matrix)
 * @param offset     byte offset of its data from the start of the data section (a multiple of the alignment)
 * @param byteSize   bytes of data, {@link GgmlType#byteSize(long[])}
 * @param infoOffset byte offset in the file of this tensor's info record (for messages), -1 if built in memory
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset, long byteSize, long infoOffset) {
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
    }

    /** Dimensions, innermost first (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions (1 to 4). */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i} (1 beyond the rank, as ggml pads shapes). */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    /** Elements in the tensor. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Rows of the tensor seen as a matrix: the product of every dimension but the first. */
    public long rows() {
        return elementCount() / shape[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
