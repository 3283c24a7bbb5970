/*
 * The token-lane table kernel for batches (native:tlut) on AVX-512BW: the C twin of the Java
 * TokenLutKernel (vector:tlut), layout and arithmetic the same.
 *
 * Per group of 4 consecutive weights a table holds the 81 possible dot products of a ternary 4-vector with
 * the group's activations, one int16 lane per token (32 tokens per 512-bit entry). A row adds, per group, the
 * entry at its base-3 index: one load and one vpaddw per 4 weights and 32 tokens. Work goes in passes of 32
 * weights (8 tables, 41 KB); a pass runs over every row of the call.
 *
 * Layout (built by the Java side, TokenTables): per pass and row, the 8 table byte offsets
 * ((group * 81 + index) * 64) as little-endian uint16 in two uint64; index = 27 c0 + 9 c1 + 3 c2 + c3 with
 * c = weight + 1. TQ block scales as float [block][row].
 *
 * Integers: |entry| <= 4 * 128, so an int16 lane takes 4 passes (128 weights, <= 16384) before it is widened
 * to int32, or 8 passes (256 weights, <= 32512) when no activation of the tile is -128 (quantizers give
 * -127..127); TQ then scales each block straight from the int16 sums. The float epilogue is the oracle's:
 * TQ: f += (float) sumi * (d_act * d_w) block by block; I2_S: the exact row integer, then
 * ((float) sum(code*q) - (float) sum(q)) / s * tensor_scale.
 */
#if defined(__x86_64__)
#include <immintrin.h>

#include "wf_tlut.h"

#include <string.h>

#define TL_LANES 32
#define TL_ENTRY 64                 /* bytes per table entry: 32 int16 */
#define TL_TABLE_BYTES (WF_TLUT_GROUPS_PER_PASS * 81 * TL_ENTRY)

/* The 8 tables of one pass from transposed activations x (weight j of the pass at x + j * 32). */
static void build(const int16_t *x, uint8_t *tab) {
    for (int g = 0; g < WF_TLUT_GROUPS_PER_PASS; g++) {
        const __m512i v0 = _mm512_load_si512(x + (4 * g) * TL_LANES);
        const __m512i v1 = _mm512_load_si512(x + (4 * g + 1) * TL_LANES);
        const __m512i v2 = _mm512_load_si512(x + (4 * g + 2) * TL_LANES);
        const __m512i v3 = _mm512_load_si512(x + (4 * g + 3) * TL_LANES);
        const __m512i zero = _mm512_setzero_si512();
        uint8_t *t = tab + (size_t) g * 81 * TL_ENTRY;
        /* entry 27a + 9b + 3c + d = (a-1) v0 + (b-1) v1 + (c-1) v2 + (d-1) v3, from shared partial sums */
        for (int a = 0; a < 3; a++) {
            const __m512i pa = a == 0 ? _mm512_sub_epi16(zero, v0) : a == 1 ? zero : v0;
            for (int b = 0; b < 3; b++) {
                const __m512i pb = b == 0 ? _mm512_sub_epi16(pa, v1) : b == 1 ? pa : _mm512_add_epi16(pa, v1);
                for (int c = 0; c < 3; c++) {
                    const __m512i pc = c == 0 ? _mm512_sub_epi16(pb, v2) : c == 1 ? pb : _mm512_add_epi16(pb, v2);
                    uint8_t *e = t + (size_t) (27 * a + 9 * b + 3 * c) * TL_ENTRY;
                    _mm512_store_si512(e, _mm512_sub_epi16(pc, v3));
                    _mm512_store_si512(e + TL_ENTRY, pc);
                    _mm512_store_si512(e + 2 * TL_ENTRY, _mm512_add_epi16(pc, v3));
                }
            }
        }
    }
}

/* One pass over count rows: acc16[i] += the row's 8 entries. */
static void pass(const uint64_t *idx, int32_t count, const uint8_t *tab, __m512i *acc16) {
    for (int32_t i = 0; i < count; i++) {
        const uint64_t v = idx[2 * i];
        const uint64_t u = idx[2 * i + 1];
        __m512i a = acc16[i];
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + (v & 0xFFFF)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + ((v >> 16) & 0xFFFF)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + ((v >> 32) & 0xFFFF)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + (v >> 48)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + (u & 0xFFFF)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + ((u >> 16) & 0xFFFF)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + ((u >> 32) & 0xFFFF)));
        a = _mm512_add_epi16(a, _mm512_load_si512(tab + (u >> 48)));
        acc16[i] = a;
    }
}

/* acc32 += acc16 (each row: 32 int32 in two vectors), acc16 cleared. */
static void widen(int32_t count, __m512i *acc16, __m512i *acc32) {
    for (int32_t i = 0; i < count; i++) {
        const __m512i a = acc16[i];
        acc32[2 * i] = _mm512_add_epi32(acc32[2 * i], _mm512_cvtepi16_epi32(_mm512_castsi512_si256(a)));
        acc32[2 * i + 1] = _mm512_add_epi32(acc32[2 * i + 1], _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(a, 1)));
        acc16[i] = _mm512_setzero_si512();
    }
}

/*
 * End of a TQ block: facc += (float) sumi * (d_act * d_w) per row, from acc16 (from16) or acc32, cleared.
 * ws: the rows' block scales; dx: the block's 32 token scales.
 */
static void scale_block(int from16, int32_t count, __m512i *acc16, __m512i *acc32, __m512 *facc, const float *ws,
                        const float *dx) {
    const __m512 dx0 = _mm512_load_ps(dx);
    const __m512 dx1 = _mm512_load_ps(dx + 16);
    for (int32_t i = 0; i < count; i++) {
        __m512i s0;
        __m512i s1;
        if (from16) {
            s0 = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(acc16[i]));
            s1 = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(acc16[i], 1));
            acc16[i] = _mm512_setzero_si512();
        } else {
            s0 = acc32[2 * i];
            s1 = acc32[2 * i + 1];
            acc32[2 * i] = _mm512_setzero_si512();
            acc32[2 * i + 1] = _mm512_setzero_si512();
        }
        const __m512 dw = _mm512_set1_ps(ws[i]);
        facc[2 * i] = _mm512_add_ps(facc[2 * i], _mm512_mul_ps(_mm512_cvtepi32_ps(s0), _mm512_mul_ps(dx0, dw)));
        facc[2 * i + 1] = _mm512_add_ps(facc[2 * i + 1], _mm512_mul_ps(_mm512_cvtepi32_ps(s1), _mm512_mul_ps(dx1, dw)));
    }
}

int wf_tlut_matmul_avx512(int format, const uint64_t *index, const float *wscale, int32_t m, int32_t k,
                          float tensor_scale, const int8_t *q, const float *scale, const int32_t *sum, int32_t n,
                          float *y, int32_t row_start, int32_t row_end) {
    const int tq = format != WF_I2_S;
    const int32_t passes = k / WF_TLUT_PASS;
    const int32_t blocks = tq ? k / WF_QK : 0;
    const int32_t count = row_end - row_start;
    /* scratch: transposed activations, tables, int16 / int32 / float accumulators, token scales */
    const size_t xt_bytes = (size_t) k * TL_LANES * 2;
    const size_t acc16_bytes = (size_t) count * 64;
    const size_t acc32_bytes = (size_t) count * 128;
    const size_t dx_bytes = (size_t) (blocks > 0 ? blocks : 1) * TL_LANES * 4;
    int8_t *s = wf_scratch(xt_bytes + TL_TABLE_BYTES + acc16_bytes + 2 * acc32_bytes + dx_bytes);
    if (s == NULL) {
        return WF_ERR_NOMEM;
    }
    int16_t *xt = (int16_t *) s;
    uint8_t *tab = (uint8_t *) (s + xt_bytes);
    __m512i *acc16 = (__m512i *) (s + xt_bytes + TL_TABLE_BYTES);
    __m512i *acc32 = (__m512i *) (s + xt_bytes + TL_TABLE_BYTES + acc16_bytes);
    __m512 *facc = (__m512 *) (s + xt_bytes + TL_TABLE_BYTES + acc16_bytes + acc32_bytes);
    float *dx = (float *) (s + xt_bytes + TL_TABLE_BYTES + acc16_bytes + 2 * acc32_bytes);
    const __m512i minus128 = _mm512_set1_epi8(-128);

    for (int32_t t0 = 0; t0 < n; t0 += TL_LANES) {
        const int32_t tn = n - t0 < TL_LANES ? n - t0 : TL_LANES;
        /* transpose the tile: xt[c * 32 + lane] = q[t0 + lane][c], lanes past the batch zero */
        int wide = 1;
        for (int32_t lane = 0; lane < TL_LANES; lane++) {
            if (lane >= tn) {
                for (int32_t c = 0; c < k; c++) {
                    xt[(size_t) c * TL_LANES + lane] = 0;
                }
                continue;
            }
            const int8_t *row = q + (int64_t) (t0 + lane) * k;
            int32_t c = 0;
            for (; c + 64 <= k; c += 64) {
                if (_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(row + c), minus128)) {
                    wide = 0;
                }
            }
            for (; c < k; c++) {
                wide &= row[c] != -128;
            }
            for (c = 0; c < k; c++) {
                xt[(size_t) c * TL_LANES + lane] = row[c];
            }
        }
        const int direct = tq && wide;  /* TQ blocks straight from the int16 sums */
        const int32_t widen_every = wide ? 8 : 4;
        memset(acc16, 0, acc16_bytes);
        memset(acc32, 0, acc32_bytes);
        memset(facc, 0, acc32_bytes);
        for (int32_t b = 0; b < blocks; b++) {
            for (int32_t lane = 0; lane < TL_LANES; lane++) {
                dx[b * TL_LANES + lane] = lane < tn ? scale[(int64_t) (t0 + lane) * blocks + b] : 0.0f;
            }
        }
        for (int32_t p = 0; p < passes; p++) {
            build(xt + (size_t) p * WF_TLUT_PASS * TL_LANES, tab);
            pass(index + ((int64_t) p * m + row_start) * 2, count, tab, acc16);
            if (tq && (p + 1) % (WF_QK / WF_TLUT_PASS) == 0) {
                const int32_t b = p / (WF_QK / WF_TLUT_PASS);
                if (!direct) {
                    widen(count, acc16, acc32);
                }
                scale_block(direct, count, acc16, acc32, facc, wscale + (int64_t) b * m + row_start, dx + b * TL_LANES);
            } else if ((p + 1) % widen_every == 0 || p == passes - 1) {
                widen(count, acc16, acc32);
            }
        }
        /* results are [row][token]; y is token-major */
        for (int32_t lane = 0; lane < tn; lane++) {
            const int32_t t = t0 + lane;
            float *yt = y + (int64_t) t * m + row_start;
            if (tq) {
                const float *f = (const float *) facc;
                for (int32_t i = 0; i < count; i++) {
                    yt[i] = f[(size_t) i * TL_LANES + lane];
                }
            } else {
                const int32_t *d = (const int32_t *) acc32;
                const int32_t sq = sum[t];
                const float st = scale[t];
                for (int32_t i = 0; i < count; i++) {
                    const int32_t dot = d[(size_t) i * TL_LANES + lane] + sq;
                    yt[i] = ((float) dot - (float) sq) / st * tensor_scale;
                }
            }
        }
    }
    return WF_OK;
}

#endif
