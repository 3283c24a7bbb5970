package dev.wrinklefree.kernels.ffm;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPU features the native library found with {@code cpuid} (and {@code xgetbv} for the register state
 * the operating system saves), as bits of {@code wf_cpu_features()}.
 *
 * @param bits the raw mask; see {@link Feature} for the bit of each feature
 */
public record CpuFeatures(long bits) {

    /** One reported feature, with the name Linux uses for it in {@code /proc/cpuinfo}. */
    public enum Feature {
        SSE2(0, "sse2"),
        SSSE3(1, "ssse3"),
        AVX(2, "avx"),
        AVX2(3, "avx2"),
        FMA(4, "fma"),
        F16C(5, "f16c"),
        AVX512F(6, "avx512f"),
        AVX512BW(7, "avx512bw"),
        AVX512VL(8, "avx512vl"),
        AVX512_VNNI(9, "avx512_vnni"),
        AVX_VNNI(10, "avx_vnni"),
        /** The OS saves the YMM registers (XCR0 bits 1 and 2): AVX code may run. */
        OS_YMM(11, "os_ymm"),
        /** The OS saves the opmask and ZMM registers (XCR0 bits 5 to 7): AVX-512 code may run. */
        OS_ZMM(12, "os_zmm");

        private final int bit;
        private final String cpuinfoName;

        Feature(int bit, String cpuinfoName) {
            this.bit = bit;
            this.cpuinfoName = cpuinfoName;
        }

        /** The flag's name in Linux {@code /proc/cpuinfo} (for {@link #OS_YMM} / {@link #OS_ZMM}: none there). */
        public String cpuinfoName() {
            return cpuinfoName;
        }
    }

    /** Whether the CPU (and, for {@code OS_*}, the operating system) reports this feature. */
    public boolean has(Feature f) {
        return (bits & (1L << f.bit)) != 0;
    }

    /** The names of the reported features. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Feature f : Feature.values()) {
            if (has(f)) {
                out.add(f.cpuinfoName);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return bits == 0 ? "(none reported)" : String.join(" ", names());
    }
}
