package dev.wrinklefree.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchProfileTest {
    private static final BenchProfile.Machine ALL = new BenchProfile.Machine(List.of("native", "vector", "scalar"),
            List.of("native:avx512vnni", "native:avx2"), List.of("vector:lut", "vector:swar"), List.of());
    private static final BenchProfile.Machine NO_NATIVE = new BenchProfile.Machine(List.of("vector", "scalar"),
            List.of(), List.of("vector:lut"), List.of("backend 'native' left out: no library"));

    private static String commands(List<BenchProfile.Step> steps) {
        return String.join("\n", steps.stream().map(s -> String.join(" ", s.jmhArgs())).toList());
    }

    @Test
    void quickProfileMeasuresEveryBackendTheRooflinesAndOneDecode() {
        String q = commands(BenchProfile.quick(ALL));
        assertTrue(q.contains("MemoryBandwidthBenchmark\\.read$") && q.contains("NativeMemoryReadBenchmark\\.read$"), q);
        assertTrue(q.contains("backend=scalar") && q.contains("backend=vector,native"), q);
        assertTrue(q.contains("FfmOverheadBenchmark"), q);
        assertTrue(q.contains("DecodeBenchmark\\.tokens$ -p model=bitnet-2b-4t -p format=I2_S -p head=q8_0 -p backend=native -p threads=2 -p phase=decode"), q);
        // The time budget (a few minutes on 2 cores): about 7 s per kernel fork, 40 s for the decode fork.
        int forks = BenchProfile.quick(ALL).stream().mapToInt(BenchProfile.Step::forks).sum();
        assertTrue(forks <= 30, "quick profile has " + forks + " forks");
    }

    @Test
    void withoutNativeTheQuickProfileLeavesItOutAndDecodesOnTheVectorApi() {
        String q = commands(BenchProfile.quick(NO_NATIVE));
        assertFalse(q.contains("native"), q);
        assertTrue(q.contains("backend=vector -p format") && q.contains("-p backend=vector -p threads=2 -p phase=decode"), q);
    }

    @Test
    void fullProfileHasTheIssueTablesPerIsaRowsAndDecodePlusPrefill() {
        String f = commands(BenchProfile.full(ALL));
        assertTrue(f.contains("backend=scalar,vector,native -p format=TQ2_0,TQ1_0,I2_S -p shape=2560x2560 -p batch=1,32 -p threads=1,2 -p residency=hot,cold"), f);
        assertTrue(f.contains("backend=native:avx512vnni,native:avx2"), f);
        assertTrue(f.contains("backend=vector:lut,vector:swar"), f);
        assertTrue(f.contains("batch=128"), f);
        assertTrue(f.contains("ColdRooflineBenchmark\\.pass$ -p backend=vector,native -p format=TQ2_0,TQ1_0,I2_S -p threads=2 -p read=native"), f);
        assertTrue(commands(BenchProfile.full(NO_NATIVE)).contains("ColdRooflineBenchmark\\.pass$ -p backend=vector -p format=TQ2_0,TQ1_0,I2_S -p threads=2 -p read=java"));
        assertTrue(f.contains("phase=decode,prefill") && f.contains("model=bitnet-700m"), f);
        assertTrue(f.contains("MemoryBandwidthBenchmark\\. ") && f.contains("ActivationQuantizationBenchmark"), f);
        // Model open is single shot: five cold JVMs per backend, not five iterations in one.
        assertTrue(f.contains("ModelOpenBenchmark\\. -p backend=vector,native -f 5 -wi 0 -w 1s -i 1"), f);
        // format x backend x batch x threads x residency = 3 x 3 x 2 x 2 x 2
        assertEquals(72, BenchProfile.full(ALL).get(2).forks());
    }

    @Test
    void includeKeepsTheMatchingSteps() {
        List<BenchProfile.Step> d = BenchProfile.filter(BenchProfile.quick(ALL), List.of(Pattern.compile("Decode")));
        assertEquals(1, d.size());
        assertEquals(BenchProfile.quick(ALL), BenchProfile.filter(BenchProfile.quick(ALL), List.of()));
    }

    @Test
    void stepsPrintAsShellCommandLines() {
        assertEquals("'A\\.b$' -p x=1,2 'it'\\''s'", BenchProfile.shellWords(List.of("A\\.b$", "-p", "x=1,2", "it's")));
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        for (String[] args : new String[][] {{"--bogus"}, {"--out"}, {"--jmh"}}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int code = BenchProfile.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
            assertEquals(2, code, String.join(" ", args));
            assertTrue(buf.toString(StandardCharsets.UTF_8).startsWith("BenchProfile: "), buf.toString(StandardCharsets.UTF_8));
        }
    }
}
