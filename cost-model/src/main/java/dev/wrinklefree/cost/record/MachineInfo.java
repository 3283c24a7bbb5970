package dev.wrinklefree.cost.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a measurement ran on.
 *
 * @param cpuModel CPU model name (from /proc/cpuinfo where available, else {@code os.arch})
 * @param logicalCores logical processors the JVM sees
 * @param os operating system name and version
 * @param jdk the measured JVM's version and name (from the JMH results when available)
 */
@JsonPropertyOrder({"cpu_model", "logical_cores", "os", "jdk"})
public record MachineInfo(@JsonProperty("cpu_model") String cpuModel,
                          @JsonProperty("logical_cores") int logicalCores,
                          @JsonProperty("os") String os,
                          @JsonProperty("jdk") String jdk) {

    /** This machine, as the running JVM sees it. */
    public static MachineInfo detect() {
        String cpu = cpuModelFromProc(Path.of("/proc/cpuinfo"));
        if (cpu == null) {
            cpu = System.getProperty("os.arch");
        }
        return new MachineInfo(cpu, Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    }

    /** A copy naming the JDK the benchmarks ran on (which can differ from the one writing the report). */
    public MachineInfo withJdk(String measuredJdk) {
        return new MachineInfo(cpuModel, logicalCores, os, measuredJdk);
    }

    static String cpuModelFromProc(Path cpuinfo) {
        try {
            List<String> lines = Files.readAllLines(cpuinfo);
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    int c = l.indexOf(':');
                    if (c > 0) {
                        return l.substring(c + 1).strip();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
