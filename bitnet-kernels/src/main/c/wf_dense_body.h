/*
 * Dense GEMV for the LM head (ggml layouts), written once for two ISA paths; the including file defines WF_W (256:
 * AVX2 + F16C + FMA; 512: AVX-512 with VNNI) and WF_ISA, and is compiled with exactly those -m flags.
 *
 *   F16:  y[r] = sum_i w[r][i] * x[i], w as IEEE halves (converted exactly by vcvtph2ps), x floats.
 *   Q8_0: y[r] = sum over 32-blocks b of (float) sum_j wq[j] * xq[j] * (d_w * d_x): blocks of d:f16 then qs[32]
 *         int8; the block integer is exact, converted per lane (2 or 4 products each) and accumulated with FMA,
 *         as ggml's AVX2 ggml_vec_dot_q8_0_q8_0 does.
 * Float sums are spread over vector lanes and reduced at the end: the order differs from a sequential sum, so
 * results agree with the Java head within float rounding, not bit for bit.
 *
 * Rows are read one after another, front to back: one sequential stream per thread, prefetched into L1 and L2
 * (the LM head is the largest matrix of a decode step, read once per token from DRAM).
 */
#include <immintrin.h>

#include "wf_internal.h"

#if !defined(WF_W) || !defined(WF_ISA)
#error "define WF_W and WF_ISA before including wf_dense_body.h"
#endif

#define WF_DCAT_(a, b) a##b
#define WF_DCAT(a, b) WF_DCAT_(a, b)
#define WF_DNAME(name) WF_DCAT(WF_DCAT(wf_dense_, name), WF_DCAT(_, WF_ISA))
#define WF_DINLINE static inline __attribute__((always_inline))

#define WF_DENSE_PF_NEAR 1024
#define WF_DENSE_PF_FAR 8192

WF_DINLINE void dense_prefetch(const uint8_t *p) {
    _mm_prefetch((const char *) (p + WF_DENSE_PF_NEAR), _MM_HINT_T0);
    _mm_prefetch((const char *) (p + WF_DENSE_PF_FAR), _MM_HINT_T1);
}

WF_DINLINE float hsum256(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

/* One F16 row: 4 accumulators of 8 (16) lanes over 32 (64) halves per step, then the tail one half at a time. */
WF_DINLINE float f16_row(const uint8_t *w, int32_t cols, const float *x) {
    int32_t i = 0;
#if WF_W == 512
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 64 <= cols; i += 64) {
        const uint8_t *p = w + 2 * (int64_t) i;
        dense_prefetch(p);
        dense_prefetch(p + 64);
        a0 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (const void *) p)), _mm512_loadu_ps(x + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (const void *) (p + 32))), _mm512_loadu_ps(x + i + 16), a1);
        a2 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (const void *) (p + 64))), _mm512_loadu_ps(x + i + 32), a2);
        a3 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (const void *) (p + 96))), _mm512_loadu_ps(x + i + 48), a3);
    }
    for (; i + 16 <= cols; i += 16) {
        a0 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (const void *) (w + 2 * (int64_t) i))),
                             _mm512_loadu_ps(x + i), a0);
    }
    const __m512 s = _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
    float sum = hsum256(_mm256_add_ps(_mm512_castps512_ps256(s), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1))));
#else
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 32 <= cols; i += 32) {
        const uint8_t *p = w + 2 * (int64_t) i;
        dense_prefetch(p);
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (const void *) p)), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (const void *) (p + 16))), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (const void *) (p + 32))), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (const void *) (p + 48))), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= cols; i += 8) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (const void *) (w + 2 * (int64_t) i))),
                             _mm256_loadu_ps(x + i), a0);
    }
    float sum = hsum256(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
#endif
    for (; i < cols; i++) {
        uint16_t h;
        __builtin_memcpy(&h, w + 2 * (int64_t) i, 2);
        sum += _cvtsh_ss(h) * x[i];
    }
    return sum;
}

int WF_DNAME(f16)(const uint8_t *w, int64_t row_bytes, int32_t cols, const float *x, float *y, int32_t row_start,
                  int32_t row_end) {
    for (int32_t r = row_start; r < row_end; r++) {
        y[r] = f16_row(w + (int64_t) r * row_bytes, cols, x);
    }
    return WF_OK;
}

/*
 * One Q8_0 block's dot product as int32 lanes, exact for every int8 input: the weights sign-extended to 16 bits
 * times the activations, already widened once per call (x16), with vpmaddwd (pairs of products, at most
 * 2 * 128 * 128 in magnitude).
 */
#if WF_W == 512
typedef __m512i q8_lanes;
WF_DINLINE q8_lanes q8_block(const uint8_t *qs, const int16_t *x16) {
    const __m512i w = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *) (const void *) qs));
    return _mm512_madd_epi16(w, _mm512_loadu_si512(x16));
}
#define Q8_FMA(acc, lanes, scale) _mm512_fmadd_ps(_mm512_cvtepi32_ps(lanes), _mm512_set1_ps(scale), acc)
#define Q8_ZERO() _mm512_setzero_ps()
#define Q8_SUM(a, b) hsum256(_mm256_add_ps(_mm512_castps512_ps256(_mm512_add_ps(a, b)), \
        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(_mm512_add_ps(a, b)), 1))))
typedef __m512 q8_acc;
#else
typedef __m256i q8_lanes;
WF_DINLINE q8_lanes q8_block(const uint8_t *qs, const int16_t *x16) {
    const __m256i lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (const void *) qs));
    const __m256i hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) (const void *) (qs + 16)));
    return _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *) (const void *) x16)),
                            _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *) (const void *) (x16 + 16))));
}
#define Q8_FMA(acc, lanes, scale) _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), _mm256_set1_ps(scale), acc)
#define Q8_ZERO() _mm256_setzero_ps()
#define Q8_SUM(a, b) hsum256(_mm256_add_ps(a, b))
typedef __m256 q8_acc;
#endif

/* One Q8_0 row: the block scale d_w * d_x in float (one multiply, as the Java head forms it), then an FMA per block. */
WF_DINLINE float q8_0_row(const uint8_t *row, int32_t blocks, const int16_t *x16, const float *xd) {
    q8_acc a0 = Q8_ZERO(), a1 = a0;
    int32_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
        const uint8_t *p = row + 34 * (int64_t) b;
        dense_prefetch(p);
        dense_prefetch(p + 64);
        uint16_t h0, h1;
        __builtin_memcpy(&h0, p, 2);
        __builtin_memcpy(&h1, p + 34, 2);
        a0 = Q8_FMA(a0, q8_block(p + 2, x16 + 32 * b), _cvtsh_ss(h0) * xd[b]);
        a1 = Q8_FMA(a1, q8_block(p + 36, x16 + 32 * (b + 1)), _cvtsh_ss(h1) * xd[b + 1]);
    }
    if (b < blocks) {
        const uint8_t *p = row + 34 * (int64_t) b;
        uint16_t h;
        __builtin_memcpy(&h, p, 2);
        a0 = Q8_FMA(a0, q8_block(p + 2, x16 + 32 * b), _cvtsh_ss(h) * xd[b]);
    }
    return Q8_SUM(a0, a1);
}

/* x16: the activations widened to int16 (cols values), shared by the rows. */
int WF_DNAME(q8_0)(const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *x16, const float *xd, float *y,
                   int32_t row_start, int32_t row_end) {
    for (int32_t r = row_start; r < row_end; r++) {
        y[r] = q8_0_row(w + (int64_t) r * row_bytes, cols / 32, x16, xd);
    }
    return WF_OK;
}
