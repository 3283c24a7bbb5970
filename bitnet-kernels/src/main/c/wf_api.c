/*
 * The library's exported API, called from Java through FFM (dev.wrinklefree.kernels.ffm.NativeLibrary):
 * version, CPU features from cpuid, the ISA paths compiled in, the matmul dispatcher, and two helpers for
 * benchmarks (an empty call and a memory-read loop). Compiled for the baseline of the target (x86-64:
 * SSE2 only), so it loads and answers on any CPU; kernels run only where their ISA is present.
 */
#include "wf_internal.h"
#include "wf_lut.h"
#include "wf_tlut.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) || defined(__APPLE__)
#include <sys/mman.h>
#endif

#if defined(__x86_64__)
#include <cpuid.h>
#include <emmintrin.h>
#endif

#define WF_API __attribute__((visibility("default")))

/* Bumped whenever a signature below changes; the Java side refuses a library with another version. */
#define WF_ABI_VERSION 2

/* CPU feature bits reported to Java (dev.wrinklefree.kernels.ffm.CpuFeatures). */
enum {
    WF_CPU_SSE2 = 1 << 0,
    WF_CPU_SSSE3 = 1 << 1,
    WF_CPU_AVX = 1 << 2,
    WF_CPU_AVX2 = 1 << 3,
    WF_CPU_FMA = 1 << 4,
    WF_CPU_F16C = 1 << 5,
    WF_CPU_AVX512F = 1 << 6,
    WF_CPU_AVX512BW = 1 << 7,
    WF_CPU_AVX512VL = 1 << 8,
    WF_CPU_AVX512VNNI = 1 << 9,
    WF_CPU_AVXVNNI = 1 << 10,
    WF_CPU_OS_YMM = 1 << 11,   /* the OS saves YMM state (XCR0 bits 1, 2) */
    WF_CPU_OS_ZMM = 1 << 12    /* the OS saves opmask and ZMM state (XCR0 bits 5, 6, 7) */
};

/* build.sh sets WF_HAVE_<ISA>=0 when the compiler lacks that ISA's flags; x86-64 builds have all by default. */
#if defined(__x86_64__)
#ifndef WF_HAVE_AVX2
#define WF_HAVE_AVX2 1
#endif
#ifndef WF_HAVE_AVXVNNI
#define WF_HAVE_AVXVNNI 1
#endif
#ifndef WF_HAVE_AVX512BW
#define WF_HAVE_AVX512BW 1
#endif
#ifndef WF_HAVE_AVX512VNNI
#define WF_HAVE_AVX512VNNI 1
#endif
#ifndef WF_HAVE_AVX512VNNI256
#define WF_HAVE_AVX512VNNI256 1
#endif
#ifndef WF_HAVE_LUT
#define WF_HAVE_LUT 1
#endif
#else
#define WF_HAVE_LUT 0
#define WF_HAVE_AVX2 0
#define WF_HAVE_AVXVNNI 0
#define WF_HAVE_AVX512BW 0
#define WF_HAVE_AVX512VNNI 0
#define WF_HAVE_AVX512VNNI256 0
#endif

static uint64_t detect_features(void) {
    uint64_t f = 0;
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) {
        return 0;
    }
    const unsigned max_leaf = a;
    __cpuid(1, a, b, c, d);
    if (d & (1u << 26)) f |= WF_CPU_SSE2;
    if (c & (1u << 9)) f |= WF_CPU_SSSE3;
    if (c & (1u << 12)) f |= WF_CPU_FMA;
    if (c & (1u << 28)) f |= WF_CPU_AVX;
    if (c & (1u << 29)) f |= WF_CPU_F16C;
    if (c & (1u << 27)) {  /* OSXSAVE: xgetbv is allowed and tells which register state the OS saves */
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        if ((lo & 0x6u) == 0x6u) f |= WF_CPU_OS_YMM;
        if ((lo & 0xE6u) == 0xE6u) f |= WF_CPU_OS_ZMM;
    }
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        const unsigned max_sub = a;
        if (b & (1u << 5)) f |= WF_CPU_AVX2;
        if (b & (1u << 16)) f |= WF_CPU_AVX512F;
        if (b & (1u << 30)) f |= WF_CPU_AVX512BW;
        if (b & (1u << 31)) f |= WF_CPU_AVX512VL;
        if (c & (1u << 11)) f |= WF_CPU_AVX512VNNI;
        if (max_sub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            if (a & (1u << 4)) f |= WF_CPU_AVXVNNI;
        }
    }
#endif
    return f;
}

static uint64_t features(void) {
    static uint64_t cached;      /* 0 = not yet detected; detection is idempotent, so racing is harmless */
    uint64_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f == 0) {
        f = detect_features() | (1ull << 63);  /* bit 63 marks "detected" */
        __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
    }
    return f & ~(1ull << 63);
}

/* What each ISA path needs from the CPU and the OS. */
static uint64_t isa_requirements(int isa) {
    const uint64_t avx2 = WF_CPU_AVX | WF_CPU_AVX2 | WF_CPU_FMA | WF_CPU_F16C | WF_CPU_OS_YMM;
    const uint64_t avx512 = avx2 | WF_CPU_AVX512F | WF_CPU_AVX512BW | WF_CPU_AVX512VL | WF_CPU_OS_ZMM;
    switch (isa) {
        case WF_ISA_SCALAR: return 0;
        case WF_ISA_AVX2: return avx2;
        case WF_ISA_AVXVNNI: return avx2 | WF_CPU_AVXVNNI;
        case WF_ISA_AVX512BW: return avx512;
        case WF_ISA_AVX512VNNI:
        case WF_ISA_AVX512VNNI256: return avx512 | WF_CPU_AVX512VNNI;
        default: return ~0ull;
    }
}

static const wf_kernel_fn KERNELS[WF_ISA_COUNT][WF_FORMAT_COUNT] = {
    [WF_ISA_SCALAR] = {wf_tq1_scalar, wf_tq2_scalar, wf_i2s_scalar},
#if WF_HAVE_AVX2
    [WF_ISA_AVX2] = {wf_tq1_avx2, wf_tq2_avx2, wf_i2s_avx2},
#endif
#if WF_HAVE_AVXVNNI
    [WF_ISA_AVXVNNI] = {wf_tq1_avxvnni, wf_tq2_avxvnni, wf_i2s_avxvnni},
#endif
#if WF_HAVE_AVX512BW
    [WF_ISA_AVX512BW] = {wf_tq1_avx512bw, wf_tq2_avx512bw, wf_i2s_avx512bw},
#endif
#if WF_HAVE_AVX512VNNI
    [WF_ISA_AVX512VNNI] = {wf_tq1_avx512vnni, wf_tq2_avx512vnni, wf_i2s_avx512vnni},
#endif
#if WF_HAVE_AVX512VNNI256
    [WF_ISA_AVX512VNNI256] = {wf_tq1_avx512vnni256, wf_tq2_avx512vnni256, wf_i2s_avx512vnni256},
#endif
};

static int isa_usable(int isa) {
    if (isa < 0 || isa >= WF_ISA_COUNT || KERNELS[isa][0] == NULL) {
        return 0;
    }
    const uint64_t need = isa_requirements(isa);
    return (features() & need) == need;
}

WF_API int32_t wf_abi_version(void) {
    return WF_ABI_VERSION;
}

/* CPU features (WF_CPU_* bits) as cpuid and xgetbv report them. */
WF_API int64_t wf_cpu_features(void) {
    return (int64_t) features();
}

/* Bit i set when ISA path i is compiled into this library. */
WF_API int32_t wf_compiled_isas(void) {
    int32_t bits = 0;
    for (int i = 0; i < WF_ISA_COUNT; i++) {
        if (KERNELS[i][0] != NULL) {
            bits |= 1 << i;
        }
    }
    return bits;
}

/* Bit i set when ISA path i is compiled in and this CPU and OS support it. */
WF_API int32_t wf_usable_isas(void) {
    int32_t bits = 0;
    for (int i = 0; i < WF_ISA_COUNT; i++) {
        if (isa_usable(i)) {
            bits |= 1 << i;
        }
    }
    return bits;
}

/* The compiler that built the library, for reports. */
WF_API const char *wf_build_info(void) {
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown compiler";
#endif
}

/*
 * Y = W X for output rows [row_start, row_end) and n tokens; see wf_mm for the arguments. Returns WF_OK,
 * WF_ERR_ISA when the path is not compiled in or not supported here (so a forced path can never raise
 * SIGILL), WF_ERR_ARG for an unknown format or an empty row range beyond bounds, WF_ERR_NOMEM when the
 * activation scratch cannot grow.
 */
/* The arguments every ternary matmul entry point checks: WF_ERR_ARG, or WF_OK (an empty row range is fine). */
static int32_t check_matmul(int32_t format, int32_t n, int32_t k, int32_t m, int32_t row_start, int32_t row_end) {
    if (format < 0 || format >= WF_FORMAT_COUNT || n < 1 || k < 1 || row_start < 0 || row_end > m
            || row_start > row_end) {
        return WF_ERR_ARG;
    }
    return WF_OK;
}

WF_API int32_t wf_matmul(int32_t isa, int32_t format, const uint8_t *w, int64_t row_bytes, int32_t k, int32_t m,
                         float tensor_scale, const int8_t *q, const float *scale, const int32_t *sum, int32_t n,
                         float *y, int64_t y_offset, int32_t row_start, int32_t row_end) {
    if (!isa_usable(isa)) {
        return WF_ERR_ISA;
    }
    const int32_t rc = check_matmul(format, n, k, m, row_start, row_end);
    if (rc != WF_OK || row_start == row_end) {
        return rc;
    }
    const wf_mm a = {
        .w = w, .row_bytes = row_bytes, .k = k, .m = m, .tensor_scale = tensor_scale,
        .q = q, .scale = scale, .sum = sum, .n = n, .y = y + y_offset,
        .row_start = row_start, .row_end = row_end,
    };
    return KERNELS[isa][format](&a);
}

/* ---- the LUT kernels (wf_lut.h), on AVX-512 BW ---- */

/* Whether this library has the LUT kernels and this CPU runs them (they need what the avx512bw path needs). */
WF_API int32_t wf_lut_usable(void) {
    const uint64_t need = isa_requirements(WF_ISA_AVX512BW);
    return WF_HAVE_LUT && (features() & need) == need;
}

/* Layout parameters for the Java side: 0 rows per panel, 1 segments per chunk, 2 words per segment. */
WF_API int32_t wf_lut_param(int32_t which) {
    switch (which) {
        case 0: return WF_LUT_ROWS;
        case 1: return WF_LUT_CHUNK;
        case 2: return WF_LUT_WORDS;
        default: return -1;
    }
}

/* Bytes of the LUT layout of an M x K matrix, or -1 for an unknown format. */
WF_API int64_t wf_lut_layout_bytes(int32_t format, int32_t m, int32_t k) {
    if (format < 0 || format >= WF_FORMAT_COUNT || m < 1 || k < 1) {
        return -1;
    }
    return wf_lut_bytes(format, m, k);
}

/* int16 entries of one token's tables for activations of length K. */
WF_API int64_t wf_lut_token_table_entries(int32_t k) {
    return wf_lut_token_entries(k);
}

/*
 * Repacks panels [panel_start, panel_end) of a standard matrix into dst (wf_lut_layout_bytes bytes). Returns WF_OK,
 * WF_LUT_UNREPRESENTABLE (1) when a weight code is 3, WF_ERR_ISA, WF_ERR_ARG or WF_ERR_NOMEM.
 */
WF_API int32_t wf_lut_pack(int32_t format, const uint8_t *w, int64_t row_bytes, int32_t m, int32_t k,
                           int32_t panel_start, int32_t panel_end, uint8_t *dst) {
    if (!wf_lut_usable()) {
        return WF_ERR_ISA;
    }
    if (format < 0 || format >= WF_FORMAT_COUNT || m < 1 || k < 1 || panel_start < 0 || panel_start > panel_end
            || panel_end > wf_lut_panels(m)) {
        return WF_ERR_ARG;
    }
#if WF_HAVE_LUT
    return wf_lut_pack_avx512(format, w, row_bytes, m, k, panel_start, panel_end, dst);
#else
    (void) w; (void) row_bytes; (void) dst;
    return WF_ERR_ISA;
#endif
}

/* The tables of n tokens of activations (q: n * k int8) into dst (n * wf_lut_token_table_entries(k) int16). */
WF_API int32_t wf_lut_tables(const int8_t *q, int32_t n, int32_t k, int16_t *dst) {
    if (!wf_lut_usable()) {
        return WF_ERR_ISA;
    }
    if (n < 1 || k < 1) {
        return WF_ERR_ARG;
    }
#if WF_HAVE_LUT
    return wf_lut_tables_avx512(q, n, k, dst);
#else
    (void) q; (void) dst;
    return WF_ERR_ISA;
#endif
}

/*
 * Y = W X for output rows [row_start, row_end) from the LUT layout and the tables of wf_lut_tables; scale/sum as
 * in wf_matmul (Q8_K d per block for TQ; I8_S s and row sum per token for I2_S).
 */
WF_API int32_t wf_lut_matmul(int32_t format, const uint8_t *lut, int32_t m, int32_t k, float tensor_scale,
                             const int16_t *tables, const float *scale, const int32_t *sum, int32_t n, float *y,
                             int64_t y_offset, int32_t row_start, int32_t row_end) {
    if (!wf_lut_usable()) {
        return WF_ERR_ISA;
    }
    const int32_t rc = check_matmul(format, n, k, m, row_start, row_end);
    if (rc != WF_OK || row_start == row_end) {
        return rc;
    }
#if WF_HAVE_LUT
    return wf_lut_matmul_avx512(format, lut, m, k, tensor_scale, tables, scale, sum, n, y + y_offset, row_start, row_end);
#else
    (void) lut; (void) tensor_scale; (void) tables; (void) scale; (void) sum; (void) y; (void) y_offset;
    return WF_ERR_ISA;
#endif
}

/*
 * Y = W X for output rows [row_start, row_end) and tokens [t0, t0 + n) with the token-lane tables (wf_tlut.h):
 * index and wscale in the layout of TokenTables; q, scale, sum and y hold every token of the batch (q: int8,
 * k per token; scale/sum as in wf_matmul; y token-major from y_offset), so that Java passes its arrays without
 * slicing them. K must be a multiple of WF_TLUT_PASS (it is for every format: 256 for TQ, 128 for I2_S).
 * Needs what the LUT kernels need.
 */
WF_API int32_t wf_tlut_matmul(int32_t format, const uint64_t *index, const float *wscale, int32_t m, int32_t k,
                              float tensor_scale, const int8_t *q, const float *scale, const int32_t *sum, int32_t t0,
                              int32_t n, float *y, int64_t y_offset, int32_t row_start, int32_t row_end) {
    if (!wf_lut_usable()) {
        return WF_ERR_ISA;
    }
    const int32_t rc = check_matmul(format, n, k, m, row_start, row_end);
    if (rc != WF_OK || k % WF_TLUT_PASS != 0 || (format != WF_I2_S && k % WF_QK != 0) || t0 < 0) {
        return rc != WF_OK ? rc : WF_ERR_ARG;
    }
    if (row_start == row_end) {
        return WF_OK;
    }
#if WF_HAVE_LUT
    const int64_t per_token = format == WF_I2_S ? 1 : k / WF_QK;  /* scales (and sums): per token, or per block */
    return wf_tlut_matmul_avx512(format, index, wscale, m, k, tensor_scale, q + (int64_t) t0 * k,
                                 scale + t0 * per_token, sum + t0 * per_token, n, y + y_offset + (int64_t) t0 * m,
                                 row_start, row_end);
#else
    (void) index; (void) wscale; (void) tensor_scale; (void) q; (void) scale; (void) sum; (void) y; (void) y_offset;
    return WF_ERR_ISA;
#endif
}

/* ---- dense GEMV for the LM head (wf_dense_body.h) ---- */

enum { WF_DENSE_F16 = 0, WF_DENSE_Q8_0 = 1 };

/* The best ISA path of the dense GEMV here: WF_ISA_AVX512VNNI, WF_ISA_AVX2, or -1 (none: the Java head is used). */
WF_API int32_t wf_dense_isa(void) {
    if (WF_HAVE_AVX512VNNI && isa_usable(WF_ISA_AVX512VNNI)) {
        return WF_ISA_AVX512VNNI;
    }
    if (WF_HAVE_AVX2 && isa_usable(WF_ISA_AVX2)) {
        return WF_ISA_AVX2;
    }
    return -1;
}

/*
 * y[r] for rows [row_start, row_end) of a dense matrix, on ISA path isa (WF_ISA_AVX512VNNI or WF_ISA_AVX2; -1: the
 * best this CPU runs) (type WF_DENSE_F16 or WF_DENSE_Q8_0, ggml layouts, row_bytes
 * apart) times one vector: x (cols floats) for F16; xq (cols int8) and xd (cols / 32 float block scales) for Q8_0.
 * Returns WF_OK, WF_ERR_ISA (no AVX2), WF_ERR_ARG (bad type or range, cols not a multiple of 32 for Q8_0) or
 * WF_ERR_NOMEM.
 */
WF_API int32_t wf_dense_gemv(int32_t isa, int32_t type, const uint8_t *w, int64_t row_bytes, int32_t cols,
                             const float *x, const int8_t *xq, const float *xd, float *y, int32_t row_start,
                             int32_t row_end) {
    if (isa < 0) {
        isa = wf_dense_isa();
    }
    if (isa < 0 || (isa != WF_ISA_AVX512VNNI && isa != WF_ISA_AVX2) || !isa_usable(isa)) {
        return WF_ERR_ISA;
    }
    if (cols < 1 || row_start < 0 || row_start > row_end) {
        return WF_ERR_ARG;
    }
    if (type == WF_DENSE_F16) {
#if WF_HAVE_AVX512VNNI
        if (isa == WF_ISA_AVX512VNNI) {
            return wf_dense_f16_avx512vnni(w, row_bytes, cols, x, y, row_start, row_end);
        }
#endif
#if WF_HAVE_AVX2
        return wf_dense_f16_avx2(w, row_bytes, cols, x, y, row_start, row_end);
#endif
    } else if (type == WF_DENSE_Q8_0) {
        if (cols % 32 != 0) {
            return WF_ERR_ARG;
        }
        int16_t *x16 = (int16_t *) (void *) wf_scratch((size_t) cols * 2);
        if (x16 == NULL) {
            return WF_ERR_NOMEM;
        }
        for (int32_t i = 0; i < cols; i++) {
            x16[i] = xq[i];
        }
#if WF_HAVE_AVX512VNNI
        if (isa == WF_ISA_AVX512VNNI) {
            return wf_dense_q8_0_avx512vnni(w, row_bytes, cols, x16, xd, y, row_start, row_end);
        }
#endif
#if WF_HAVE_AVX2
        return wf_dense_q8_0_avx2(w, row_bytes, cols, x16, xd, y, row_start, row_end);
#endif
    }
    (void) w; (void) x; (void) xd; (void) y;
    return WF_ERR_ARG;
}

/* ---- memory for repacked weights ---- */

#define WF_HUGE_PAGE ((int64_t) 2 << 20)

static int64_t huge_round(int64_t bytes) {
    return (bytes + WF_HUGE_PAGE - 1) / WF_HUGE_PAGE * WF_HUGE_PAGE;
}

/*
 * bytes of zeroed memory (rounded up to 2 MiB), aligned to 2 MiB and, on Linux, marked for transparent huge pages
 * (MADV_HUGEPAGE; honoured when the system's THP mode is "madvise" or "always"). Huge pages make the weight stream
 * of a GEMV faster (measured on Zen 4: 10 to 20 % more GB/s, fewer TLB misses) and the first touch of a large
 * layout far cheaper (one fault per 2 MiB instead of per 4 KiB). NULL when the memory cannot be had; free with
 * wf_huge_free(p, bytes).
 */
WF_API void *wf_huge_alloc(int64_t bytes) {
    if (bytes < 1) {
        return NULL;
    }
    const int64_t size = huge_round(bytes);
#if defined(__linux__) || defined(__APPLE__)
    uint8_t *raw = (uint8_t *) mmap(NULL, (size_t) (size + WF_HUGE_PAGE), PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == (uint8_t *) MAP_FAILED) {
        return NULL;
    }
    uint8_t *p = (uint8_t *) (((uintptr_t) raw + (uintptr_t) WF_HUGE_PAGE - 1) & ~(uintptr_t) (WF_HUGE_PAGE - 1));
    if (p > raw) {
        munmap(raw, (size_t) (p - raw));
    }
    if (p + size < raw + size + WF_HUGE_PAGE) {
        munmap(p + size, (size_t) (raw + size + WF_HUGE_PAGE - (p + size)));
    }
#if defined(MADV_HUGEPAGE)
    (void) madvise(p, (size_t) size, MADV_HUGEPAGE);  /* advice only: 4 KiB pages when refused */
#endif
    return p;
#else
    void *p = NULL;
    if (posix_memalign(&p, (size_t) WF_HUGE_PAGE, (size_t) size) != 0) {
        return NULL;
    }
    memset(p, 0, (size_t) size);
    return p;
#endif
}

/* Frees memory of wf_huge_alloc (bytes as passed to it). */
WF_API void wf_huge_free(void *p, int64_t bytes) {
    if (p == NULL) {
        return;
    }
#if defined(__linux__) || defined(__APPLE__)
    munmap(p, (size_t) huge_round(bytes));
#else
    (void) bytes;
    free(p);
#endif
}

/* An empty downcall: the fixed cost of crossing from Java to C, for the FFM overhead benchmark. */
WF_API void wf_noop(void) {
}

/*
 * Reads `bytes` bytes (a multiple of 64) and returns their sum as 64-bit lanes: the native side of the
 * memory-read benchmark. Four independent accumulators keep the loads, not the adds, the limit.
 */
WF_API int64_t wf_read_sum(const void *p, int64_t bytes) {
    const uint8_t *b = (const uint8_t *) p;
#if defined(__x86_64__)
    __m128i s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0;
    for (int64_t i = 0; i + 64 <= bytes; i += 64) {
        s0 = _mm_add_epi64(s0, _mm_loadu_si128((const __m128i *) (const void *) (b + i)));
        s1 = _mm_add_epi64(s1, _mm_loadu_si128((const __m128i *) (const void *) (b + i + 16)));
        s2 = _mm_add_epi64(s2, _mm_loadu_si128((const __m128i *) (const void *) (b + i + 32)));
        s3 = _mm_add_epi64(s3, _mm_loadu_si128((const __m128i *) (const void *) (b + i + 48)));
    }
    const __m128i s = _mm_add_epi64(_mm_add_epi64(s0, s1), _mm_add_epi64(s2, s3));
    int64_t lanes[2];
    _mm_storeu_si128((__m128i *) (void *) lanes, s);
    return lanes[0] + lanes[1];
#else
    uint64_t s = 0;
    for (int64_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t v;
        memcpy(&v, b + i, 8);
        s += v;
    }
    return (int64_t) s;
#endif
}

/* ---- per-thread scratch ---- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static __thread int8_t *scratch_buf;
static __thread size_t scratch_cap;

static void scratch_free(void *p) {
    free(p);
}

static void scratch_init(void) {
    (void) pthread_key_create(&scratch_key, scratch_free);
}

int8_t *wf_scratch(size_t bytes) {
    if (bytes <= scratch_cap) {
        return scratch_buf;
    }
    pthread_once(&scratch_once, scratch_init);
    size_t cap = (bytes + 4095) & ~(size_t) 4095;
    void *p = NULL;
    if (posix_memalign(&p, 64, cap) != 0) {
        return NULL;
    }
    free(scratch_buf);
    scratch_buf = (int8_t *) p;
    scratch_cap = cap;
    /* registered so that the buffer is freed when the thread exits */
    (void) pthread_setspecific(scratch_key, p);
    return scratch_buf;
}

/* ---- activation layouts (see wf_internal.h) ---- */

int64_t wf_act_stride(int format, int32_t k) {
    return format == WF_TQ1_0 ? (int64_t) (k / WF_QK) * WF_TQ1_ACT_BYTES : k;
}

void wf_repack_halves(const int8_t *q, int32_t k, int8_t *dst) {
    int32_t c = 0;
    for (; c + WF_QK <= k; c += WF_QK) {
        for (int l = 0; l < 4; l++) {
            memcpy(dst + c + 64 * l, q + c + 32 * l, 32);
            memcpy(dst + c + 64 * l + 32, q + c + 128 + 32 * l, 32);
        }
    }
    if (c < k) {  /* a last 128: its groups with zero partners */
        for (int l = 0; l < 4; l++) {
            memcpy(dst + c + 64 * l, q + c + 32 * l, 32);
            memset(dst + c + 64 * l + 32, 0, 32);
        }
    }
}

void wf_repack_tq1(const int8_t *q, int32_t n, int32_t k, int b_off, int8_t *dst) {
    const int nb = k / WF_QK;
    for (int32_t t = 0; t < n; t++) {
        for (int b = 0; b < nb; b++) {
            const int8_t *src = q + (int64_t) t * k + (int64_t) b * WF_QK;
            int8_t *out = dst + ((int64_t) t * nb + b) * WF_TQ1_ACT_BYTES;
            memset(out, 0, WF_TQ1_ACT_BYTES);
            for (int d = 0; d < 5; d++) {
                int8_t *plane = out + 64 * d;
                /* qs[0..31]: element m + 32d */
                memcpy(plane, src + 32 * d, 32);
                /* part 1 lane j holds block byte b_off + j (20 <= b_off <= 32, so both runs fit):
                   qs[32..47] carry elements 160 + m + 16d, qh[0..3] elements 240 + j + 4d (d < 4) */
                memcpy(plane + 32 + (32 - b_off), src + 160 + 16 * d, 16);
                if (d < 4) {
                    memcpy(plane + 32 + (48 - b_off), src + 240 + 4 * d, 4);
                }
            }
        }
    }
}
