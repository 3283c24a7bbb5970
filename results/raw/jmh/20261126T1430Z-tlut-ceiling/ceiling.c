/*
 * How fast can the token-lane table loop (vector:tlut, wf_tlut_avx512.c) go on this machine? Times, on one
 * thread, a 2560x2560 matrix times 32 tokens (random weights in the TokenTables layout):
 *   kernel    the library's wf_tlut_matmul_avx512, everything included (transpose, tables, epilogue);
 *   loop      only the table builds and the row loop (8 loads + 8 vpaddw per row and pass, 16-bit sums
 *             loaded and stored per row);
 *   no-acc    the same loop with each row's sum left in a register (no accumulator traffic): an upper bound
 *             for the loop's structure;
 *   no-acc-l1 no-acc with every offset pointing into the first 2 of the 8 tables (10 KB, which stay in the
 *             32 KB L1 data cache; the real 41 KB do not): what the L1 misses cost;
 * and the core clock (a chain of dependent adds, 1 per cycle). The bound it is judged against: Zen 4 loads
 * one 64-byte vector per cycle, and each load feeds 4 weights x 32 tokens = 128 multiply-accumulates.
 * Build: see run.sh. Prints the median and best of 25 calls per variant, rounds interleaved.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wf_tlut.h"

#define M 2560
#define K 2560
#define N 32
#define PASSES (K / 32)
#define CALLS 25

int8_t *wf_scratch(size_t bytes) {   /* the library's per-thread scratch, reduced to one buffer */
    static int8_t *buf;
    static size_t cap;
    if (bytes > cap) {
        free(buf);
        cap = (bytes + 4095) & ~(size_t) 4095;
        buf = aligned_alloc(64, cap);
    }
    return buf;
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t *index_;              /* [pass][row][2]: 8 table byte offsets as uint16 */
static uint64_t *index_l1;            /* the same, into the first 2 tables only */
static int16_t xt[K * 32] __attribute__((aligned(64)));
static uint8_t tables[8 * 81 * 64] __attribute__((aligned(64)));
static __m512i acc[M];
static volatile int16_t sink;

static void build(const int16_t *x) {
    for (int g = 0; g < 8; g++) {
        const __m512i v0 = _mm512_load_si512(x + (4 * g) * 32), v1 = _mm512_load_si512(x + (4 * g + 1) * 32);
        const __m512i v2 = _mm512_load_si512(x + (4 * g + 2) * 32), v3 = _mm512_load_si512(x + (4 * g + 3) * 32);
        uint8_t *t = tables + g * 81 * 64;
        for (int e = 0; e < 81; e++) {
            const int d0 = e / 27 - 1, d1 = e / 9 % 3 - 1, d2 = e / 3 % 3 - 1, d3 = e % 3 - 1;
            __m512i s = _mm512_setzero_si512();
            s = d0 > 0 ? _mm512_add_epi16(s, v0) : d0 < 0 ? _mm512_sub_epi16(s, v0) : s;
            s = d1 > 0 ? _mm512_add_epi16(s, v1) : d1 < 0 ? _mm512_sub_epi16(s, v1) : s;
            s = d2 > 0 ? _mm512_add_epi16(s, v2) : d2 < 0 ? _mm512_sub_epi16(s, v2) : s;
            s = d3 > 0 ? _mm512_add_epi16(s, v3) : d3 < 0 ? _mm512_sub_epi16(s, v3) : s;
            _mm512_store_si512(t + e * 64, s);
        }
    }
}

static inline __m512i row_sum(__m512i a, uint64_t v, uint64_t u) {
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + (v & 0xFFFF)));
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + ((v >> 16) & 0xFFFF)));
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + ((v >> 32) & 0xFFFF)));
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + (v >> 48)));
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + (u & 0xFFFF)));
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + ((u >> 16) & 0xFFFF)));
    a = _mm512_add_epi16(a, _mm512_load_si512(tables + ((u >> 32) & 0xFFFF)));
    return _mm512_add_epi16(a, _mm512_load_si512(tables + (u >> 48)));
}

static void loop(void) {
    for (int p = 0; p < PASSES; p++) {
        build(xt + p * 32 * 32);
        const uint64_t *ix = index_ + (size_t) p * M * 2;
        for (int i = 0; i < M; i++) {
            acc[i] = row_sum(acc[i], ix[2 * i], ix[2 * i + 1]);
        }
    }
}

static void no_acc(void) {
    __m512i total = _mm512_setzero_si512();
    for (int p = 0; p < PASSES; p++) {
        build(xt + p * 32 * 32);
        const uint64_t *ix = index_ + (size_t) p * M * 2;
        for (int i = 0; i < M; i++) {
            total = _mm512_xor_si512(total, row_sum(_mm512_setzero_si512(), ix[2 * i], ix[2 * i + 1]));
        }
    }
    sink = (int16_t) _mm_cvtsi128_si32(_mm512_castsi512_si128(total));
}

static void no_acc_l1(void) {
    uint64_t *all = index_;
    index_ = index_l1;
    no_acc();
    index_ = all;
}

static int8_t q[N * K];
static float ws[(K / 256) * M], scale[N * (K / 256)], y[N * M];
static int32_t sums[N];

static void kernel(void) {
    wf_tlut_matmul_avx512(1 /* TQ2_0 */, index_, ws, M, K, 1.0f, q, scale, sums, N, y, 0, M);
}

static double ghz(void) {
    long n = 1000000000L, x = 0;
    double t = seconds();
    __asm__ volatile("mov %1, %%rcx\n1:\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n sub $4, %%rcx\n jnz 1b"
                     : "+r"(x) : "r"(n) : "rcx");
    return n / (seconds() - t) / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(void) {
    index_ = aligned_alloc(64, (size_t) PASSES * M * 16);
    index_l1 = aligned_alloc(64, (size_t) PASSES * M * 16);
    uint16_t *ix = (uint16_t *) index_;
    uint16_t *il = (uint16_t *) index_l1;
    srand(1);
    for (size_t p = 0; p < PASSES; p++)
        for (size_t i = 0; i < M; i++)
            for (int g = 0; g < 8; g++)
            {
                const int e = rand() % 81;
                ix[(p * M + i) * 8 + g] = (uint16_t) ((g * 81 + e) * 64);
                il[(p * M + i) * 8 + g] = (uint16_t) ((g % 2 * 81 + e) * 64);
            }
    for (int i = 0; i < K * 32; i++) xt[i] = (int16_t) (rand() % 255 - 127);
    for (int i = 0; i < N * K; i++) q[i] = (int8_t) (rand() % 255 - 127);
    for (int i = 0; i < (K / 256) * M; i++) ws[i] = 0.01f;
    for (int i = 0; i < N * (K / 256); i++) scale[i] = 0.02f;

    void (*fn[])(void) = {kernel, loop, no_acc, no_acc_l1};
    const char *name[] = {"kernel", "loop", "no-acc", "no-acc-l1"};
    const double macs = (double) M * K * N;
    for (int round = 0; round < 3; round++) {
        double f = ghz();
        printf("round %d: clock %.2f GHz; one 64-byte load per cycle bounds the loop at %.0f G MAC/s\n", round + 1, f, f * 128);
        for (int v = 0; v < 4; v++) {
            double t[CALLS];
            fn[v]();
            for (int c = 0; c < CALLS; c++) {
                double s = seconds();
                fn[v]();
                t[c] = seconds() - s;
            }
            qsort(t, CALLS, sizeof t[0], cmp);
            printf("  %-9s median %6.1f  best %6.1f G MAC/s\n", name[v], macs / t[CALLS / 2] / 1e9, macs / t[0] / 1e9);
        }
    }
    return 0;
}
