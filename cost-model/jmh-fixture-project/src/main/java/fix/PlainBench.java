package fix;

import org.openjdk.jmh.annotations.*;

/** A benchmark without parameters. */
@State(Scope.Thread)
public class PlainBench {
    double x = 1.5;

    @Benchmark
    public double sqrt() {
        return Math.sqrt(x);
    }
}
