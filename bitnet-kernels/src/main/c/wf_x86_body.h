/*
 * The x86 kernels, written once for four ISA paths. Each including file defines
 *   WF_W     256 or 512 (vector width in bits)
 *   WF_VNNI  1: vpdpbusd (u8 x s8, sums of 4 straight into int32); 0: vpmaddubsw into int16, widened
 *   WF_ISA   the suffix of the exported kernel names (avx2, avxvnni, avx512bw, avx512vnni)
 * and is compiled with exactly the -m flags its ISA needs.
 *
 * How the integers are formed. Codes are stored as u8 0..2 (w + 1), which is exactly the unsigned operand
 * vpmaddubsw / vpdpbusd want, so the kernels take sum(code * q) and subtract sum(q) (the Q8_K block sums or
 * the I8_S row sum; ggml's bsums idea) in the epilogue.
 *
 * Overflow. vpmaddubsw adds two products code*q with code <= 2 and q in [-128, 127]: each int16 result lies
 * in [-512, 508], far from its saturation. The maddubs paths then add such results in int16 lanes, at most
 * 32 of them before widening to int32 with vpmaddwd (I2_S: 8 chunks of 4 planes; TQ2_0: 8 or 4 per block;
 * TQ1_0: 10 or 5 per block): |sum| <= 32 * 512 = 16384 < 32767 for every input. vpdpbusd has no
 * intermediate: each int32 lane gains at most 4 * 2 * 128 = 1024 per instruction.
 *
 * Epilogue. Per 256-block (TQ) or per row (I2_S) the int32 lanes of four (row, token) pairs are reduced together
 * (reduce4), and the float epilogue runs in 128-bit lanes with the oracle's operations in the oracle's order
 * (no FMA: -ffp-contract=off), so every path is bit-identical to the Java scalar oracle, not just close.
 *
 * Tiles. R rows x T tokens per pass: the codes of a weight load are reused for T tokens, an activation load
 * for R rows (AVX-512; with AVX2's 16 registers only one row's codes are live and activations are re-read from
 * L1 as memory operands). AVX-512 reads activations in the layout of wf_repack_halves / wf_repack_tq1, built
 * once per call.
 */
#include <immintrin.h>

#include "wf_internal.h"

#if !defined(WF_W) || !defined(WF_VNNI) || !defined(WF_ISA)
#error "define WF_W, WF_VNNI and WF_ISA before including wf_x86_body.h"
#endif

#define WF_CAT_(a, b) a##b
#define WF_CAT(a, b) WF_CAT_(a, b)
#define WF_NAME(fmt) WF_CAT(WF_CAT(wf_, fmt), WF_CAT(_, WF_ISA))
#define WF_INLINE static inline __attribute__((always_inline))

/* Prefetch distance in bytes ahead of the weight stream of each row (cold, streaming case). */
#ifndef WF_PREFETCH_BYTES
#define WF_PREFETCH_BYTES 512
#endif

#if WF_W == 256
typedef __m256i vi;
#define VB 32
#define LD(p) _mm256_loadu_si256((const __m256i *) (const void *) (p))
#define AND(a, b) _mm256_and_si256(a, b)
#define SRL16(a, n) _mm256_srli_epi16(a, n)
#define SET8(x) _mm256_set1_epi8((char) (x))
#define ADD8(a, b) _mm256_add_epi8(a, b)
#define ADD16(a, b) _mm256_add_epi16(a, b)
#define ADD32(a, b) _mm256_add_epi32(a, b)
#define ZERO() _mm256_setzero_si256()
#define MADDUBS(c, x) _mm256_maddubs_epi16(c, x)
#define UNPACKLO32(a, b) _mm256_unpacklo_epi32(a, b)
#define UNPACKHI32(a, b) _mm256_unpackhi_epi32(a, b)
#define UNPACKLO64(a, b) _mm256_unpacklo_epi64(a, b)
#define UNPACKHI64(a, b) _mm256_unpackhi_epi64(a, b)
#define FOLD128(v) _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1))
#define WF_SHARE_ACT 0
#define WIDEN16(a) _mm256_madd_epi16(a, _mm256_set1_epi16(1))
#if WF_VNNI
#define DPBUSD(acc, c, x) _mm256_dpbusd_avx_epi32(acc, c, x)
#endif
/* Tiles for 16 registers: rows for 1 token, rows for 2..4 tokens. */
#define R_T1 4
#define R_TN 2

/* Base-3 digit of every byte: ((v * 3) >> 8) = (v >= 86) + (v >= 171), as signed compares after a bias. */
WF_INLINE vi tq1_digit(vi v) {
    const vi bias = SET8(0x80);
    const vi vb = _mm256_xor_si256(v, bias);
    const vi ge86 = _mm256_cmpgt_epi8(vb, SET8(85 ^ 0x80));
    const vi ge171 = _mm256_cmpgt_epi8(vb, SET8(170 ^ 0x80));
    return _mm256_sub_epi8(_mm256_sub_epi8(ZERO(), ge86), ge171);
}

/* TQ1_0 block bytes for digit planes: part 0 = qs[0..31], part 1 = bytes 22..53 (qs[32..47] at 10..25,
   qh at 26..29), which stays inside the 54-byte block. */
#define TQ1_PARTS 2
#define TQ1_BOFF 22
#define TQ1_LOAD(v, x)             \
    do {                           \
        (v)[0] = LD(x);            \
        (v)[1] = LD((x) + 22);     \
    } while (0)

#elif WF_W == 512
typedef __m512i vi;
#define VB 64
#define LD(p) _mm512_loadu_si512((const void *) (p))
#define AND(a, b) _mm512_and_si512(a, b)
#define SRL16(a, n) _mm512_srli_epi16(a, n)
#define SET8(x) _mm512_set1_epi8((char) (x))
#define ADD8(a, b) _mm512_add_epi8(a, b)
#define ADD16(a, b) _mm512_add_epi16(a, b)
#define ADD32(a, b) _mm512_add_epi32(a, b)
#define ZERO() _mm512_setzero_si512()
#define MADDUBS(c, x) _mm512_maddubs_epi16(c, x)
#define UNPACKLO32(a, b) _mm512_unpacklo_epi32(a, b)
#define UNPACKHI32(a, b) _mm512_unpackhi_epi32(a, b)
#define UNPACKLO64(a, b) _mm512_unpacklo_epi64(a, b)
#define UNPACKHI64(a, b) _mm512_unpackhi_epi64(a, b)
#define FOLD128(v) fold512(v)
#define WF_SHARE_ACT 1
#define WIDEN16(a) _mm512_madd_epi16(a, _mm512_set1_epi16(1))
#if WF_VNNI
#define DPBUSD(acc, c, x) _mm512_dpbusd_epi32(acc, c, x)
#endif
#define R_T1 4
#define R_TN 2

WF_INLINE __m128i fold512(__m512i v) {
    const __m256i s = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    return _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
}

/* Base-3 digit of every byte: (v >= 86) + (v >= 171); the second set is inside the first. */
WF_INLINE vi tq1_digit(vi v) {
    const __mmask64 ge86 = _mm512_cmpge_epu8_mask(v, SET8(86));
    const __mmask64 ge171 = _mm512_cmpge_epu8_mask(v, SET8(171));
    return _mm512_mask_mov_epi8(_mm512_maskz_mov_epi8(ge86, SET8(1)), ge171, SET8(2));
}

/* TQ1_0: one masked load of the block's 52 code bytes (fault-free: masked-off bytes are not read). */
#define TQ1_PARTS 1
#define TQ1_BOFF 32
#define TQ1_LOAD(v, x)                                             \
    do {                                                           \
        (v)[0] = _mm512_maskz_loadu_epi8(0x000FFFFFFFFFFFFFull, x); \
    } while (0)

#else
#error "WF_W must be 256 or 512"
#endif

/*
 * Accumulator model: DOT adds code*q products into acc; ACC_I32 turns acc into int32 lanes.
 * VNNI: acc is int32 already. maddubs: acc holds int16 sums (see the overflow note above).
 */
#if WF_VNNI
#define DOT(acc, c, x) (acc) = DPBUSD(acc, c, x)
#define ACC_I32(acc) (acc)
#else
#define DOT(acc, c, x) (acc) = ADD16(acc, MADDUBS(c, x))
#define ACC_I32(acc) WIDEN16(acc)
#endif

/* Tile arrays have fixed sizes (a VLA would live on the stack); with R and T constants after inlining and
   every loop fully unrolled, gcc keeps them in registers. */
#define WF_RMAX 4
#define WF_TMAX 4

#define PREFETCH(p) _mm_prefetch((const char *) (p), _MM_HINT_T0)

/*
 * TQ2_0 and I2_S codes: 4 planes of 2 bits per byte. TQ2_0 stores plane l at bits 2l, I2_S at bits 6-2l;
 * plane l of a VB-byte load meets activation group l of the layout (natural order at 256 bits, the
 * interleaved halves of wf_repack_halves at 512).
 */
#define PLANES(c, w, m3, i2s)                                   \
    do {                                                        \
        (c)[0] = AND((i2s) ? SRL16(w, 6) : (w), m3);            \
        (c)[1] = AND(SRL16(w, (i2s) ? 4 : 2), m3);              \
        (c)[2] = AND(SRL16(w, (i2s) ? 2 : 4), m3);              \
        (c)[3] = AND((i2s) ? (w) : SRL16(w, 6), m3);            \
    } while (0)

/*
 * [sum of a's lanes, b's, c's, d's] in one step: a transposition by unpacks within 128-bit lanes, then a fold
 * of the 128-bit lanes. Cheaper than four horizontal sums and it leaves the four results side by side.
 */
WF_INLINE __m128i reduce4(vi a, vi b, vi c, vi d) {
    const vi ab = ADD32(UNPACKLO32(a, b), UNPACKHI32(a, b));  /* [a0+a2 b0+b2 a1+a3 b1+b3] per 128 bits */
    const vi cd = ADD32(UNPACKLO32(c, d), UNPACKHI32(c, d));
    return FOLD128(ADD32(UNPACKLO64(ab, cd), UNPACKHI64(ab, cd)));
}

/*
 * Tile bookkeeping: the R x T (row, token) pairs are numbered token-major, p = t * R + i, and handled four at
 * a time in 128-bit lanes (pair p in lane p % 4 of group p / 4).
 */
#define WF_GROUPS(R, T) (((R) * (T) + 3) / 4)
#define WF_GMAX ((WF_RMAX * WF_TMAX + 3) / 4)

WF_INLINE uint16_t u16_at(const uint8_t *p) {
    uint16_t h;
    __builtin_memcpy(&h, p, 2);
    return h;
}

/*
 * The TQ epilogue of one 256-block for every pair of the tile, in the oracle's order and rounding:
 * f += (float) (sum(code * q) - sum(q)) * (d_act * d_w), one float multiply, one float add (no FMA: the build
 * uses -ffp-contract=off). Lanes of 128-bit vectors behave exactly like the scalar float operations.
 */
WF_INLINE void tq_epilogue(const wf_mm *a, const uint8_t *const *row, int64_t d_off, int b, int t0,
                           const int R, const int T, vi acc[WF_RMAX][WF_TMAX], __m128 *f) {
    const int nb = a->k / WF_QK;
    for (int g = 0; g < WF_GROUPS(R, T); g++) {
        vi v[4];
        int32_t qsum[4];
        float dact[4];
        uint16_t dw[4];
        for (int j = 0; j < 4; j++) {
            const int p = 4 * g + j;
            if (p < R * T) {
                const int t = p / R;
                const int i = p % R;
                const int64_t blk = (int64_t) (t0 + t) * nb + b;
                v[j] = ACC_I32(acc[i][t]);
                qsum[j] = a->sum[blk];
                dact[j] = a->scale[blk];
                dw[j] = u16_at(row[i] + d_off);
            } else {
                v[j] = ZERO();
                qsum[j] = 0;
                dact[j] = 0;
                dw[j] = 0;
            }
        }
        const __m128i sumi = _mm_sub_epi32(reduce4(v[0], v[1], v[2], v[3]),
                                           _mm_setr_epi32(qsum[0], qsum[1], qsum[2], qsum[3]));
        const __m128 dwf = _mm_cvtph_ps(_mm_setr_epi16((short) dw[0], (short) dw[1], (short) dw[2], (short) dw[3], 0, 0, 0, 0));
        const __m128 scale = _mm_mul_ps(_mm_setr_ps(dact[0], dact[1], dact[2], dact[3]), dwf);
        f[g] = _mm_add_ps(f[g], _mm_mul_ps(_mm_cvtepi32_ps(sumi), scale));
    }
}

WF_INLINE void tq_store(const wf_mm *a, int r0, int t0, const int R, const int T, const __m128 *f) {
    for (int g = 0; g < WF_GROUPS(R, T); g++) {
        float out[4];
        _mm_storeu_ps(out, f[g]);
        for (int j = 0; j < 4 && 4 * g + j < R * T; j++) {
            const int p = 4 * g + j;
            a->y[(int64_t) (t0 + p / R) * a->m + r0 + p % R] = out[j];
        }
    }
}

/*
 * Codes meet activations in one of two loop orders. WF_SHARE_ACT: the codes of all R rows stay in registers and
 * each activation load serves R rows (32 registers). Otherwise one row's codes at a time, activations re-read
 * from L1 as memory operands (16 registers).
 */
#define WF_DOT_TILE(acc, c, R, T, xbase, n_planes)                                   \
    do {                                                                            \
        for (int t = 0; t < (T); t++) {                                             \
            const int8_t *x_ = xbase(t);                                            \
            for (int l = 0; l < (n_planes); l++) {                                  \
                const vi xv = LD(x_ + l * VB);                                      \
                for (int i = 0; i < (R); i++) {                                     \
                    DOT(acc[i][t], c[i][l], xv);                                    \
                }                                                                   \
            }                                                                       \
        }                                                                           \
    } while (0)

/* ---- TQ2_0 x Q8_K ---- */
WF_INLINE void tq2_tile(const wf_mm *a, const int8_t *act, int64_t stride, int r0, int t0, const int R, const int T) {
    const int nb = a->k / WF_QK;
    const vi m3 = SET8(3);
    const uint8_t *row[WF_RMAX];
    __m128 f[WF_GMAX];
    for (int i = 0; i < R; i++) {
        row[i] = a->w + (int64_t) (r0 + i) * a->row_bytes;
    }
    for (int g = 0; g < WF_GROUPS(R, T); g++) {
        f[g] = _mm_setzero_ps();
    }
    for (int b = 0; b < nb; b++) {
        vi acc[WF_RMAX][WF_TMAX];
        for (int i = 0; i < R; i++) {
            for (int t = 0; t < T; t++) {
                acc[i][t] = ZERO();
            }
        }
        for (int s = 0; s < 64 / VB; s++) {
#define XBASE(t) (act + (t0 + (t)) * stride + (int64_t) b * WF_QK + s * 4 * VB)
            if (WF_SHARE_ACT) {
                vi c[WF_RMAX][4];
                for (int i = 0; i < R; i++) {
                    const uint8_t *p = row[i] + (int64_t) b * WF_TQ2_BYTES + s * VB;
                    PREFETCH(p + WF_PREFETCH_BYTES);
                    const vi w = LD(p);
                    PLANES(c[i], w, m3, 0);
                }
                WF_DOT_TILE(acc, c, R, T, XBASE, 4);
            } else {
                for (int i = 0; i < R; i++) {
                    const uint8_t *p = row[i] + (int64_t) b * WF_TQ2_BYTES + s * VB;
                    PREFETCH(p + WF_PREFETCH_BYTES);
                    const vi w = LD(p);
                    vi c[1][4];
                    PLANES(c[0], w, m3, 0);
                    vi (*acc_i)[WF_TMAX] = &acc[i];
                    WF_DOT_TILE(acc_i, c, 1, T, XBASE, 4);
                }
            }
#undef XBASE
        }
        tq_epilogue(a, row, (int64_t) b * WF_TQ2_BYTES + 64, b, t0, R, T, acc, f);
    }
    tq_store(a, r0, t0, R, T, f);
}

/* ---- TQ1_0 x Q8_K: base-3 digits, 5 planes; activations repacked by wf_repack_tq1 ---- */
WF_INLINE void tq1_tile(const wf_mm *a, const int8_t *act, int64_t stride, int r0, int t0, const int R, const int T) {
    const int nb = a->k / WF_QK;
    const uint8_t *row[WF_RMAX];
    __m128 f[WF_GMAX];
    for (int i = 0; i < R; i++) {
        row[i] = a->w + (int64_t) (r0 + i) * a->row_bytes;
    }
    for (int g = 0; g < WF_GROUPS(R, T); g++) {
        f[g] = _mm_setzero_ps();
    }
    for (int b = 0; b < nb; b++) {
        vi acc[WF_RMAX][WF_TMAX];
        vi v[WF_RMAX][TQ1_PARTS];
        for (int i = 0; i < R; i++) {
            const uint8_t *p = row[i] + (int64_t) b * WF_TQ1_BYTES;
            PREFETCH(p + WF_PREFETCH_BYTES);
            TQ1_LOAD(v[i], p);
            for (int t = 0; t < T; t++) {
                acc[i][t] = ZERO();
            }
        }
        for (int n = 0; n < 5; n++) {
            vi c[WF_RMAX][TQ1_PARTS];
            for (int i = 0; i < R; i++) {
                for (int s = 0; s < TQ1_PARTS; s++) {
                    c[i][s] = tq1_digit(v[i][s]);
                    /* next digit: v * 3 mod 256 */
                    v[i][s] = ADD8(ADD8(v[i][s], v[i][s]), v[i][s]);
                }
            }
#define XBASE(t) (act + (t0 + (t)) * stride + (int64_t) b * WF_TQ1_ACT_BYTES + n * 64)
            WF_DOT_TILE(acc, c, R, T, XBASE, TQ1_PARTS);
#undef XBASE
        }
        tq_epilogue(a, row, (int64_t) b * WF_TQ1_BYTES + 52, b, t0, R, T, acc, f);
    }
    tq_store(a, r0, t0, R, T, f);
}

/* ---- I2_S x I8_S: one int32 sum per row and token, the oracle's epilogue ---- */
#define I2S_CHUNK_WEIGHTS (4 * VB)  /* weights per VB-byte load: 128 (one block) or 256 (two blocks) */
#define I2S_WIDEN_CHUNKS 8          /* maddubs: 8 chunks x 4 planes = 32 int16 additions, see above */

WF_INLINE vi i2s_load(const uint8_t *p, int tail) {
#if WF_W == 512
    /* the 128-weight tail block is 32 bytes: a masked load reads nothing beyond it */
    return tail ? _mm512_maskz_loadu_epi8(0xFFFFFFFFull, p) : LD(p);
#else
    (void) tail;
    return LD(p);
#endif
}

WF_INLINE void i2s_chunks(const int8_t *act, int64_t stride, const uint8_t *const *row, int t0,
                          const int R, const int T, int c0, int c1, int tail, vi acc[WF_RMAX][WF_TMAX]) {
    const vi m3 = SET8(3);
    for (int ch = c0; ch < c1; ch++) {
#define XBASE(t) (act + (t0 + (t)) * stride + (int64_t) ch * I2S_CHUNK_WEIGHTS)
        if (WF_SHARE_ACT) {
            vi c[WF_RMAX][4];
            for (int i = 0; i < R; i++) {
                const uint8_t *p = row[i] + (int64_t) ch * VB;
                PREFETCH(p + WF_PREFETCH_BYTES);
                const vi w = i2s_load(p, tail);
                PLANES(c[i], w, m3, 1);
            }
            WF_DOT_TILE(acc, c, R, T, XBASE, 4);
        } else {
            for (int i = 0; i < R; i++) {
                const uint8_t *p = row[i] + (int64_t) ch * VB;
                PREFETCH(p + WF_PREFETCH_BYTES);
                const vi w = i2s_load(p, tail);
                vi c[1][4];
                PLANES(c[0], w, m3, 1);
                vi (*acc_i)[WF_TMAX] = &acc[i];
                WF_DOT_TILE(acc_i, c, 1, T, XBASE, 4);
            }
        }
#undef XBASE
    }
}

/* Chunks [c0, c1) into int16 (maddubs) or int32 (VNNI) accumulators, then widened into the int32 sums. */
WF_INLINE void i2s_group(const int8_t *act, int64_t stride, const uint8_t *const *row, int t0,
                         const int R, const int T, int c0, int c1, int tail, vi sum[WF_RMAX][WF_TMAX]) {
    vi acc[WF_RMAX][WF_TMAX];
    for (int i = 0; i < R; i++) {
        for (int t = 0; t < T; t++) {
            acc[i][t] = ZERO();
        }
    }
    i2s_chunks(act, stride, row, t0, R, T, c0, c1, tail, acc);
    for (int i = 0; i < R; i++) {
        for (int t = 0; t < T; t++) {
            sum[i][t] = ADD32(sum[i][t], ACC_I32(acc[i][t]));
        }
    }
}

WF_INLINE void i2s_tile(const wf_mm *a, const int8_t *act, int64_t stride, int r0, int t0, const int R, const int T) {
    const int chunks = a->k / I2S_CHUNK_WEIGHTS;
    const int tail = a->k % I2S_CHUNK_WEIGHTS != 0;  /* 512-bit only: a last 128-weight block */
    const uint8_t *row[WF_RMAX];
    vi sum[WF_RMAX][WF_TMAX];
    for (int i = 0; i < R; i++) {
        row[i] = a->w + (int64_t) (r0 + i) * a->row_bytes;
        for (int t = 0; t < T; t++) {
            sum[i][t] = ZERO();
        }
    }
    for (int c0 = 0; c0 < chunks; c0 += I2S_WIDEN_CHUNKS) {
        i2s_group(act, stride, row, t0, R, T, c0, c0 + I2S_WIDEN_CHUNKS < chunks ? c0 + I2S_WIDEN_CHUNKS : chunks, 0, sum);
    }
    if (tail) {
        i2s_group(act, stride, row, t0, R, T, chunks, chunks + 1, 1, sum);
    }
    for (int g = 0; g < WF_GROUPS(R, T); g++) {
        vi v[4];
        for (int j = 0; j < 4; j++) {
            const int p = 4 * g + j;
            v[j] = p < R * T ? sum[p % R][p / R] : ZERO();
        }
        int32_t dot[4];
        _mm_storeu_si128((__m128i *) (void *) dot, reduce4(v[0], v[1], v[2], v[3]));
        for (int j = 0; j < 4 && 4 * g + j < R * T; j++) {
            const int t = t0 + (4 * g + j) / R;
            float y = (float) dot[j] - (float) a->sum[t];
            y = y / a->scale[t];
            a->y[(int64_t) t * a->m + r0 + (4 * g + j) % R] = y * a->tensor_scale;
        }
    }
}

/*
 * Row and token loops: tokens in tiles of 4 (then 3, 2, 1 for the rest), rows in tiles of R_T1 (one
 * token) or R_TN (several), then single rows.
 */
#define WF_ROWS(tile, RR, TT)                                               \
    do {                                                                    \
        int r = a->row_start;                                               \
        for (; r + (RR) <= a->row_end; r += (RR)) {                         \
            tile(a, act, stride, r, t0, RR, TT);                            \
        }                                                                   \
        for (; r < a->row_end; r++) {                                       \
            tile(a, act, stride, r, t0, 1, TT);                             \
        }                                                                   \
    } while (0)

#define WF_DRIVE(tile)                                                      \
    do {                                                                    \
        int t0 = 0;                                                         \
        for (; t0 + 4 <= a->n; t0 += 4) {                                   \
            WF_ROWS(tile, R_TN, 4);                                         \
        }                                                                   \
        switch (a->n - t0) {                                                \
            case 3: WF_ROWS(tile, R_TN, 3); break;                          \
            case 2: WF_ROWS(tile, R_TN, 2); break;                          \
            case 1: WF_ROWS(tile, R_T1, 1); break;                          \
            default: break;                                                 \
        }                                                                   \
    } while (0)

int WF_NAME(tq2)(const wf_mm *a) {
    const int8_t *act = a->q;
    int64_t stride = a->k;
#if WF_W == 512
    int8_t *buf = wf_scratch((size_t) a->n * (size_t) wf_act_stride(WF_TQ2_0, a->k));
    if (buf == NULL) {
        return WF_ERR_NOMEM;
    }
    wf_repack_halves(a->q, a->n, a->k, buf);
    act = buf;
    stride = wf_act_stride(WF_TQ2_0, a->k);
#endif
    WF_DRIVE(tq2_tile);
    return WF_OK;
}

int WF_NAME(i2s)(const wf_mm *a) {
    const int8_t *act = a->q;
    int64_t stride = a->k;
#if WF_W == 512
    int8_t *buf = wf_scratch((size_t) a->n * (size_t) wf_act_stride(WF_I2_S, a->k));
    if (buf == NULL) {
        return WF_ERR_NOMEM;
    }
    wf_repack_halves(a->q, a->n, a->k, buf);
    act = buf;
    stride = wf_act_stride(WF_I2_S, a->k);
#endif
    WF_DRIVE(i2s_tile);
    return WF_OK;
}

int WF_NAME(tq1)(const wf_mm *a) {
    const int64_t stride = wf_act_stride(WF_TQ1_0, a->k);
    int8_t *buf = wf_scratch((size_t) a->n * (size_t) stride);
    if (buf == NULL) {
        return WF_ERR_NOMEM;
    }
    wf_repack_tq1(a->q, a->n, a->k, TQ1_BOFF, buf);
    const int8_t *act = buf;
    WF_DRIVE(tq1_tile);
    return WF_OK;
}
