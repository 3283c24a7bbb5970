package dev.wrinklefree.cost.jmh;

import java.util.Map;

/**
 * One entry of a JMH {@code -rf json} file.
 *
 * @param id benchmark, mode and parameters
 * @param threads JMH worker threads ({@code -t})
 * @param forks forks run
 * @param jmhVersion JMH version, {@code null} if the file predates the field
 * @param jdkVersion JDK version of the measured JVM, {@code null} if absent
 * @param vmName JVM name, {@code null} if absent
 * @param primary the primary metric
 * @param secondary secondary metrics by normalized name: JMH before 1.37 prefixed them with
 *     {@code "\u00b7"} ({@code "\u00b7gc.alloc.rate"}) or {@code "method\u00b7"} ({@code "sqrt\u00b7p0.50"});
 *     the prefix is removed so old and new files compare
 * @param source the file it was read from
 */
public record JmhResult(BenchmarkId id, int threads, int forks, String jmhVersion, String jdkVersion, String vmName,
                        Metric primary, Map<String, Metric> secondary, String source) {
    public JmhResult {
        secondary = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(secondary));
    }
}
