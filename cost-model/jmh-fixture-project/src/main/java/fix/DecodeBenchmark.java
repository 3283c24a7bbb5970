package fix;

import org.openjdk.jmh.annotations.*;

/**
 * Stands in for the project's DecodeBenchmark (one op = one generated token): the same parameter
 * names, a fixed amount of arithmetic per op. Its scores only give the cost model real JMH JSON of that shape.
 */
@State(Scope.Thread)
public class DecodeBenchmark {
    @Param({"bitnet-2b-4t"}) String model;
    @Param({"i2_s", "tq2_0"}) String format;
    @Param({"vector"}) String backend;
    @Param({"1"}) int threads;

    double acc = 1;

    @Benchmark
    public double token() {
        double a = acc;
        int rounds = format.equals("i2_s") ? 200_000 : 260_000;
        for (int i = 0; i < rounds; i++) a = a * 1.0000001 + 1e-9;
        acc = a;
        return a;
    }
}
