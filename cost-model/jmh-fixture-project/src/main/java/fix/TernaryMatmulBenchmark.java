package fix;

import org.openjdk.jmh.annotations.*;
import java.util.SplittableRandom;

/**
 * Stands in for the project's TernaryMatmulBenchmark: the same parameter names, a plain scalar
 * ternary matmul over one byte per weight. Its scores only give the cost model real JMH JSON of that shape.
 */
@State(Scope.Thread)
public class TernaryMatmulBenchmark {
    @Param({"scalar"}) String backend;
    @Param({"i2_s"}) String format;
    @Param({"2560x2560", "640x2560", "6912x2560", "2560x6912"}) String shape;
    @Param({"1"}) int batch;
    @Param({"1"}) int threads;
    @Param({"dram"}) String residency;

    byte[] w; byte[] x; int[] y; int m; int k;

    @Setup
    public void setup() {
        String[] mk = shape.split("x");
        m = Integer.parseInt(mk[0]); k = Integer.parseInt(mk[1]);
        SplittableRandom r = new SplittableRandom(1);
        w = new byte[m * k]; x = new byte[k * batch]; y = new int[m * batch];
        for (int i = 0; i < w.length; i++) w[i] = (byte) (r.nextInt(3) - 1);
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(-127, 128);
    }

    @Benchmark
    public int[] matmul() {
        for (int n = 0; n < batch; n++) {
            for (int row = 0; row < m; row++) {
                int acc = 0, base = row * k, xb = n * k;
                for (int c = 0; c < k; c++) acc += w[base + c] * x[xb + c];
                y[n * m + row] = acc;
            }
        }
        return y;
    }
}
