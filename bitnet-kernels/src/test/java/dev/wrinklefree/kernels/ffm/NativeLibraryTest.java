package dev.wrinklefree.kernels.ffm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static dev.wrinklefree.kernels.ffm.NativeTests.requireLibrary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeLibraryTest {

    @Test
    void loadsAndDescribesItself() {
        requireLibrary();
        assertTrue(Files.isRegularFile(NativeLibrary.path()), "library file " + NativeLibrary.path());
        assertTrue(NativeLibrary.describe().contains(NativeLibrary.path().toString()), NativeLibrary.describe());
        assertTrue(NativeLibrary.compiledIsas().contains(Isa.SCALAR), "the portable path is always compiled");
        assertTrue(NativeLibrary.usableIsas().contains(Isa.SCALAR), "the portable path runs everywhere");
        assertTrue(NativeLibrary.compiledIsas().containsAll(NativeLibrary.usableIsas()), "usable paths are compiled paths");
    }

    /** In CI (required mode) on x86-64 every ISA path must be compiled, AVX-VNNI included, even where the CPU lacks it. */
    @Test
    void everyX86PathIsCompiledInRequiredMode() {
        requireLibrary();
        assumeTrue(NativeTests.required() && LibraryExtractor.platform().orElse("").endsWith("x86_64"),
                "only checked in required mode on x86-64");
        assertEquals(List.of(Isa.values()), NativeLibrary.compiledIsas());
    }

    /** The library's cpuid agrees with the flags Linux reports. */
    @Test
    void cpuFeaturesMatchProcCpuinfo() throws IOException {
        requireLibrary();
        Path cpuinfo = Path.of("/proc/cpuinfo");
        assumeTrue(Files.isReadable(cpuinfo) && LibraryExtractor.platform().orElse("").equals("linux-x86_64"),
                "needs Linux on x86-64");
        String flagsLine = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst().orElseThrow();
        Set<String> flags = new HashSet<>(Arrays.asList(flagsLine.substring(flagsLine.indexOf(':') + 1).trim().split("\\s+")));
        CpuFeatures cpu = NativeLibrary.cpuFeatures();
        for (CpuFeatures.Feature f : CpuFeatures.Feature.values()) {
            if (f == CpuFeatures.Feature.OS_YMM || f == CpuFeatures.Feature.OS_ZMM) {
                continue;
            }
            assertEquals(flags.contains(f.cpuinfoName()), cpu.has(f), f + ": cpuid says " + cpu + "; /proc/cpuinfo: " + flagsLine);
        }
        // Linux lists AVX flags only when it saves the registers, so the OS bits follow them.
        assertEquals(flags.contains("avx"), cpu.has(CpuFeatures.Feature.OS_YMM), "OS YMM support");
        assertEquals(flags.contains("avx512f"), cpu.has(CpuFeatures.Feature.OS_ZMM), "OS ZMM support");
    }

    @Test
    void readSumReadsEveryByteOfAnySegment() {
        requireLibrary();
        SplittableRandom rnd = new SplittableRandom(1);
        byte[] bytes = new byte[64 * 1001];
        rnd.nextBytes(bytes);
        long expect = 0;
        for (int i = 0; i < bytes.length; i += 8) {
            expect += MemorySegment.ofArray(bytes).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), i);
        }
        assertEquals(expect, NativeLibrary.readSum(MemorySegment.ofArray(bytes)), "heap");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(bytes.length + 1).asSlice(1).copyFrom(MemorySegment.ofArray(bytes));
            assertEquals(expect, NativeLibrary.readSum(off), "off-heap, odd address");
        }
        assertThrows(IllegalArgumentException.class, () -> NativeLibrary.readSum(MemorySegment.ofArray(new byte[65])));
    }

    @Test
    void noopCallReturns() {
        requireLibrary();
        for (int i = 0; i < 1000; i++) {
            NativeLibrary.noop();
        }
    }
}
