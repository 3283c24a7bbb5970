package fix;

import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/** A tiny parameterized benchmark: sums an int array, and allocates one for -prof gc. */
@State(Scope.Thread)
public class ParamBench {
    @Param({"64", "1024"})
    int size;

    @Param({"plain", "shifted"})
    String variant;

    int[] data;

    @Setup
    public void setup() {
        data = new int[size];
        for (int i = 0; i < size; i++) data[i] = i * 31 + 7;
    }

    @Benchmark
    public long sum() {
        long s = 0;
        if (variant.equals("plain")) {
            for (int v : data) s += v;
        } else {
            for (int v : data) s += v >>> 1;
        }
        return s;
    }

    @Benchmark
    public void allocate(Blackhole bh) {
        bh.consume(new int[size]);
    }
}
