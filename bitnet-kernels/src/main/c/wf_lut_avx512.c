/*
 * The LUT kernels (layout in wf_lut.h) on AVX-512BW: vpermw looks up 32 rows' 16-bit table entries at once.
 * Compiled with the avx512bw flags (build.sh); called only where the CPU has AVX-512 BW (wf_api.c checks).
 *
 * Per word (32 rows x 9 weights) and token: two shifts (shared by the tokens), three vpermw, three int16 adds;
 * the three tables of a word are loaded once for the panel's WF_LUT_P row groups. Segments are visited in
 * chunks of WF_LUT_CHUNK so that the tables in use (11 KB a token) stay in L1: with all of a token's tables
 * (56 KB at K = 2560) cycling through L2, cold streaming fell from ~21 to ~16 GB/s a thread.
 *
 * Measured on Zen 4 (thread CPU time, 2560 x 2560, 1 thread): hot ~160 G weights/s for every format (in-place
 * kernels: TQ1_0 34, TQ2_0 70, I2_S 125); batch 4 ~200, batch 32 ~170 G MACs/s.
 */
#if defined(__x86_64__)
#include <immintrin.h>

#include "wf_lut.h"

#include <string.h>

#define WF_INLINE static inline __attribute__((always_inline))

/*
 * Software prefetch of the weight stream (cold weights come from DRAM): every 64-byte line is prefetched three
 * times, into L1 WF_LUT_PF_BYTES ahead and into L2 WF_LUT_PF_FAR_BYTES and WF_LUT_PF_FAR2_BYTES ahead. Zen 4's L2
 * streamer does not cover this stream by itself (one L2 prefetch per 128 bytes instead of per line: -15 % on one
 * thread), and one L2 prefetch per line leaves it about 10 % under the plain memory read; a second one per line,
 * farther ahead, brings the kernel to the read's speed. Measured on Zen 4, 2560 x 2560 TQ2_0, cold, against the
 * memory read of the same seconds (ColdRooflineBenchmark; results/raw/jmh/20261126T1614Z-prefetch-distance-paired
 * and 20261126T1641Z-prefetch-twice-paired): 3 / 12 KiB alone 0.85-0.89 of the read on one thread and 0.88-0.91
 * on two; 3 / 8 + 16 KiB 1.00-1.02 and 0.96-0.97; 3 / 12 + 24 KiB 0.99-1.04 and 0.92-0.96; without the L1
 * prefetch 0.90 and 0.88-0.91. Distances in between or farther (1-6 KiB, 8-24 KiB) were worse. The second L2
 * prefetch is issued by the GEMV (one token a pass) only: see lut_word.
 */
#ifndef WF_LUT_PF_BYTES
#define WF_LUT_PF_BYTES 3072
#endif
#ifndef WF_LUT_PF_FAR_BYTES
#define WF_LUT_PF_FAR_BYTES 8192
#endif
#ifndef WF_LUT_PF_FAR2_BYTES
#define WF_LUT_PF_FAR2_BYTES 16384
#endif

int wf_lut_tables_avx512(const int8_t *q, int32_t n, int32_t k, int16_t *dst) {
    /* pattern j: lane i holds (digit j of i) - 1, digits most significant first; lanes 27..31 zero */
    int16_t pat[3][WF_LUT_TABLE];
    for (int i = 0; i < WF_LUT_TABLE; i++) {
        pat[0][i] = (int16_t) (i < 27 ? i / 9 - 1 : 0);
        pat[1][i] = (int16_t) (i < 27 ? (i / 3) % 3 - 1 : 0);
        pat[2][i] = (int16_t) (i < 27 ? i % 3 - 1 : 0);
    }
    const __m512i p0 = _mm512_loadu_si512(pat[0]);
    const __m512i p1 = _mm512_loadu_si512(pat[1]);
    const __m512i p2 = _mm512_loadu_si512(pat[2]);
    const int32_t segs = wf_lut_segs(k);
    /*
     * Per segment, the activations first, as int16 in xs[j][29 f + w] = q[g + 86 j] for group g = w + 29 f (slot
     * 3 w + f), zero past the segment or K and for the empty group g = 86: nine runs of 29 contiguous bytes, each
     * one masked load and one widening. The table loop is then branch-free. Deciding each activation inside it,
     * as before, took 2.4-3.5 us a token at K = 2560 on Zen 4 (about 15 cycles a table), twice the vector work.
     */
    int16_t xs[3][96];
    for (int32_t t = 0; t < n; t++) {
        const int8_t *x = q + (int64_t) t * k;
        int16_t *out = dst + (int64_t) t * wf_lut_token_entries(k);
        for (int32_t s = 0; s < segs; s++) {
            const int32_t base = s * WF_LUT_SEG;
            const int32_t len = k - base < WF_LUT_SEG ? k - base : WF_LUT_SEG;  /* 256, or 128 (I2_S tail) */
            for (int j = 0; j < 3; j++) {
                /* groups below `live` have their activation j inside the segment */
                const int live = len - j * WF_LUT_STRIDE < WF_LUT_STRIDE ? len - j * WF_LUT_STRIDE : WF_LUT_STRIDE;
                for (int f = 0; f < 3; f++) {
                    const int c = live - WF_LUT_WORDS * f;  /* valid words of this run: clamp to [0, 29] */
                    const __mmask32 m = c <= 0 ? 0 : c >= WF_LUT_WORDS ? (1u << WF_LUT_WORDS) - 1 : (1u << c) - 1;
                    const __m256i b = _mm256_maskz_loadu_epi8(m, x + base + j * WF_LUT_STRIDE + WF_LUT_WORDS * f);
                    _mm512_storeu_si512(&xs[j][WF_LUT_WORDS * f], _mm512_cvtepi8_epi16(b));
                }
            }
            for (int w = 0; w < WF_LUT_WORDS; w++) {
                for (int f = 0; f < 3; f++, out += WF_LUT_TABLE) {
                    const int i = WF_LUT_WORDS * f + w;
                    const __m512i v = _mm512_add_epi16(
                            _mm512_add_epi16(_mm512_mullo_epi16(p0, _mm512_set1_epi16(xs[0][i])),
                                             _mm512_mullo_epi16(p1, _mm512_set1_epi16(xs[1][i]))),
                            _mm512_mullo_epi16(p2, _mm512_set1_epi16(xs[2][i])));
                    _mm512_storeu_si512(out, v);
                }
            }
        }
    }
    return WF_OK;
}

/* ---- repacking (see wf_lut.h): once per matrix, so fast enough that a model opens in well under a second ---- */

/* Base-3 digit of every byte: (v >= 86) + (v >= 171), i.e. ((v * 3) >> 8). */
static inline __m256i pack_digit(__m256i v) {
    const __mmask32 ge86 = _mm256_cmpge_epu8_mask(v, _mm256_set1_epi8((char) 86));
    const __mmask32 ge171 = _mm256_cmpge_epu8_mask(v, _mm256_set1_epi8((char) 171));
    return _mm256_mask_mov_epi8(_mm256_maskz_mov_epi8(ge86, _mm256_set1_epi8(1)), ge171, _mm256_set1_epi8(2));
}

/*
 * Codes of segment s of a row into c[0 .. 256) (weights past K stay as the caller set them: 1). Returns a mask
 * that is nonzero when a code is 3.
 */
static inline uint32_t pack_codes(int format, const uint8_t *row, int32_t s, int len, uint8_t *c) {
    const __m256i m3 = _mm256_set1_epi8(3);
    __m256i bad = _mm256_setzero_si256();
    if (format == WF_TQ1_0) {
        const uint8_t *x = row + (int64_t) s * WF_TQ1_BYTES;
        __m256i v0 = _mm256_loadu_si256((const __m256i *) (const void *) x);
        __m256i v1 = _mm256_maskz_loadu_epi8(0xFFFFFu, x + 32);  /* qs[32..47] qh[0..3]; never past the block */
        for (int n = 0; n < 5; n++) {
            _mm256_storeu_si256((__m256i *) (void *) (c + 32 * n), pack_digit(v0));
            const __m256i d1 = pack_digit(v1);
            _mm_storeu_si128((__m128i *) (void *) (c + 160 + 16 * n), _mm256_castsi256_si128(d1));
            if (n < 4) {
                const int32_t qh = _mm_cvtsi128_si32(_mm256_extracti128_si256(d1, 1));
                __builtin_memcpy(c + 240 + 4 * n, &qh, 4);
            }
            v0 = _mm256_add_epi8(_mm256_add_epi8(v0, v0), v0);  /* next digit: v * 3 mod 256 */
            v1 = _mm256_add_epi8(_mm256_add_epi8(v1, v1), v1);
        }
        return 0;
    }
    if (format == WF_TQ2_0) {
        const uint8_t *x = row + (int64_t) s * WF_TQ2_BYTES;
        for (int h = 0; h < 2; h++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *) (const void *) (x + 32 * h));
            for (int l = 0; l < 4; l++) {
                const __m256i cv = _mm256_and_si256(_mm256_srli_epi16(v, 2 * l), m3);
                bad = _mm256_or_si256(bad, _mm256_cmpeq_epi8(cv, m3));
                _mm256_storeu_si256((__m256i *) (void *) (c + 128 * h + 32 * l), cv);
            }
        }
    } else {
        for (int b = 0; b < len / WF_I2S_QK; b++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *) (const void *) (row + (int64_t) (2 * s + b) * WF_I2S_BYTES));
            for (int g = 0; g < 4; g++) {
                const __m256i cv = _mm256_and_si256(_mm256_srli_epi16(v, 6 - 2 * g), m3);
                bad = _mm256_or_si256(bad, _mm256_cmpeq_epi8(cv, m3));
                _mm256_storeu_si256((__m256i *) (void *) (c + WF_I2S_QK * b + 32 * g), cv);
            }
        }
    }
    return (uint32_t) _mm256_movemask_epi8(bad);
}

/*
 * Group indices of one row's segment from its codes: idx[g] = 9 c[g] + 3 c[g + 86] + c[g + 172] for g < 86,
 * then 13 (the empty group: three zero weights).
 */
static inline void pack_indices(const uint8_t *c, uint8_t *idx) {
    for (int g0 = 0; g0 < 96; g0 += 32) {
        const __mmask32 live = g0 + 32 <= WF_LUT_STRIDE ? 0xFFFFFFFFu : (__mmask32) ((1u << (WF_LUT_STRIDE - g0)) - 1);
        const __m256i a = _mm256_maskz_loadu_epi8(live, c + g0);
        const __m256i b = _mm256_maskz_loadu_epi8(live, c + g0 + WF_LUT_STRIDE);
        const __m256i d = _mm256_maskz_loadu_epi8(live, c + g0 + 2 * WF_LUT_STRIDE);
        const __m256i b3 = _mm256_add_epi8(_mm256_add_epi8(b, b), b);
        __m256i a9 = _mm256_add_epi8(_mm256_add_epi8(a, a), a);
        a9 = _mm256_add_epi8(_mm256_add_epi8(a9, a9), a9);
        const __m256i v = _mm256_add_epi8(_mm256_add_epi8(a9, b3), d);
        _mm256_storeu_si256((__m256i *) (void *) (idx + g0), _mm256_mask_mov_epi8(_mm256_set1_epi8(13), live, v));
    }
}

/* The 29 words of a row's segment from its group indices (see wf_lut.h), as the low 29 lanes of a vector. */
static inline __m512i pack_words(const uint8_t *idx) {
    const __m512i f0 = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (const void *) idx));
    const __m512i f1 = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (const void *) (idx + WF_LUT_WORDS)));
    const __m512i f2 = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (const void *) (idx + 2 * WF_LUT_WORDS)));
    return _mm512_or_si512(f0, _mm512_or_si512(_mm512_slli_epi16(f1, 5), _mm512_slli_epi16(f2, 10)));
}

/*
 * Transposes 32 x 32 16-bit elements in place: v[i] lane j becomes v[j] lane i. Stage d swaps bit d of the row
 * and column index of every element (a vpermt2w per output vector), so after the five stages (r, c) is at (c, r).
 */
static inline void transpose32(__m512i v[WF_LUT_LANES]) {
    const __m512i iota = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                          15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (int d = 1; d < WF_LUT_LANES; d <<= 1) {
        const __mmask32 hi = _mm512_test_epi16_mask(iota, _mm512_set1_epi16((short) d));
        /* lo row: a[e] where bit d of e is clear, else b[e - d]; hi row: a[e + d] where clear, else b[e] */
        const __m512i idx0 = _mm512_mask_add_epi16(iota, hi, iota, _mm512_set1_epi16((short) (32 - d)));
        const __m512i idx1 = _mm512_mask_add_epi16(_mm512_add_epi16(iota, _mm512_set1_epi16((short) d)), hi, iota,
                                                   _mm512_set1_epi16(32));
        for (int i = 0; i < WF_LUT_LANES; i++) {
            if ((i & d) == 0) {
                const __m512i a = v[i];
                const __m512i b = v[i + d];
                v[i] = _mm512_permutex2var_epi16(a, idx0, b);
                v[i + d] = _mm512_permutex2var_epi16(a, idx1, b);
            }
        }
    }
}

/* Bytes of one row's codes of one segment in the pack's scratch: the segment's span and the 32-byte reads past it. */
#define WF_PACK_CODES 320

/*
 * Packs panels [panel_start, panel_end) (rows p * WF_LUT_ROWS .. clipped to M) of a standard matrix into dst, a
 * buffer of wf_lut_bytes bytes; panels are independent, so threads may pack disjoint panel ranges. Returns
 * WF_OK, WF_LUT_UNREPRESENTABLE when a row holds code 3 (dst is then incomplete), or WF_ERR_NOMEM.
 *
 * A group of 32 rows is read row by row, front to back (the source streams in order), into a staging area of
 * every segment's words; each step runs for a whole row before the next step reads its output (a load right
 * after a store of another width or offset would wait for the store: failed store-to-load forwarding); then
 * each segment's 32 x 29 words are transposed into the layout.
 */
int wf_lut_pack_avx512(int format, const uint8_t *w, int64_t row_bytes, int32_t m, int32_t k, int32_t panel_start,
                       int32_t panel_end, uint8_t *dst) {
    const int32_t segs = wf_lut_segs(k);
    const int d_off = format == WF_TQ2_0 ? 64 : 52;
    const int blk_bytes = format == WF_TQ2_0 ? WF_TQ2_BYTES : WF_TQ1_BYTES;
    /* staging: words [seg][row of the group][32], codes [seg][WF_PACK_CODES], indices [seg][96], scales [seg][32] */
    const size_t words_bytes = (size_t) segs * WF_LUT_LANES * 64;
    uint8_t *scratch = (uint8_t *) wf_scratch(words_bytes + (size_t) segs * (WF_PACK_CODES + 96 + 64));
    if (scratch == NULL) {
        return WF_ERR_NOMEM;
    }
    uint16_t *words = (uint16_t *) (void *) scratch;
    uint8_t *c = scratch + words_bytes;
    uint8_t *idx = c + (size_t) segs * WF_PACK_CODES;
    uint16_t *scales = (uint16_t *) (void *) (idx + (size_t) segs * 96);
    for (int32_t p = panel_start; p < panel_end; p++) {
        for (int grp = 0; grp < WF_LUT_P; grp++) {
            const int32_t r0 = p * WF_LUT_ROWS + grp * WF_LUT_LANES;
            for (int lane = 0; lane < WF_LUT_LANES; lane++) {
                const int32_t r = r0 + lane;
                const uint8_t *row = w + (int64_t) r * row_bytes;
                for (int32_t s = 0; s < segs; s++) {
                    const int len = k - s * WF_LUT_SEG < WF_LUT_SEG ? k - s * WF_LUT_SEG : WF_LUT_SEG;
                    uint8_t *cs = c + (size_t) s * WF_PACK_CODES;
                    memset(cs + (r < m ? len : 0), 1, (size_t) (WF_PACK_CODES - (r < m ? len : 0)));
                    scales[s * WF_LUT_LANES + lane] = 0;
                    if (r < m) {
                        if (pack_codes(format, row, s, len, cs) != 0) {
                            return WF_LUT_UNREPRESENTABLE;
                        }
                        if (format != WF_I2_S) {
                            memcpy(&scales[s * WF_LUT_LANES + lane], row + (int64_t) s * blk_bytes + d_off, 2);
                        }
                    }
                }
                for (int32_t s = 0; s < segs; s++) {
                    pack_indices(c + (size_t) s * WF_PACK_CODES, idx + (size_t) s * 96);
                }
                for (int32_t s = 0; s < segs; s++) {
                    _mm512_storeu_si512(words + ((size_t) s * WF_LUT_LANES + lane) * WF_LUT_LANES, pack_words(idx + (size_t) s * 96));
                }
            }
            for (int32_t s = 0; s < segs; s++) {
                uint8_t *seg = dst + wf_lut_seg_offset(format, m, k, p, s);
                __m512i v[WF_LUT_LANES];
                for (int lane = 0; lane < WF_LUT_LANES; lane++) {
                    v[lane] = _mm512_loadu_si512(words + ((size_t) s * WF_LUT_LANES + lane) * WF_LUT_LANES);
                }
                transpose32(v);
                for (int wd = 0; wd < WF_LUT_WORDS; wd++) {
                    _mm512_storeu_si512(seg + ((int64_t) wd * WF_LUT_P + grp) * 64, v[wd]);
                }
                if (format != WF_I2_S) {
                    memcpy(seg + ((int64_t) WF_LUT_WORDS * WF_LUT_P + grp) * 64, scales + s * WF_LUT_LANES, 64);
                }
            }
        }
    }
    return WF_OK;
}

/* Sign-extended sum of two int16 accumulators: rows 0..15 and 16..31 of the group as int32. */
WF_INLINE void widen2(__m512i a, __m512i b, __m512i *lo, __m512i *hi) {
    *lo = _mm512_add_epi32(_mm512_cvtepi16_epi32(_mm512_castsi512_si256(a)),
                           _mm512_cvtepi16_epi32(_mm512_castsi512_si256(b)));
    *hi = _mm512_add_epi32(_mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(a, 1)),
                           _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(b, 1)));
}

/*
 * Pins a loaded vector in a register: without it gcc folds the load into every instruction that uses the
 * vector (three loads of each weight word, and the tables reloaded for every group of the panel).
 */
#define KEEP(v) __asm__("" : "+v"(v))

/*
 * Where the prefetch for data at p goes: a thread's rows are one contiguous run per chunk (wf_lut_seg_offset), so
 * an address past the end of the run continues at the start of the thread's next run, jump bytes further (0 after
 * the last run). Prefetching straight on instead fetched the other thread's rows and left the first lines of every
 * run to demand misses.
 */
typedef struct {
    const uint8_t *end;
    int64_t jump;
} pf_run;

WF_INLINE const uint8_t *pf_at(const uint8_t *p, const pf_run *run) {
    return p >= run->end ? p + run->jump : p;
}

/* One word for every group of the panel and every token: acc[g][t] += lookups. */
WF_INLINE void lut_word(const uint8_t *wp, const int16_t *const *tab, int64_t tab_off, const int T,
                        __m512i acc[WF_LUT_P][4], const pf_run *run) {
    const uint8_t *near = pf_at(wp + WF_LUT_PF_BYTES, run);
    const uint8_t *far = pf_at(wp + WF_LUT_PF_FAR_BYTES, run);
    const uint8_t *far2 = pf_at(wp + WF_LUT_PF_FAR2_BYTES, run);
    for (int g = 0; g < WF_LUT_P; g++) {
        _mm_prefetch((const char *) (near + g * 64), _MM_HINT_T0);
        _mm_prefetch((const char *) (far + g * 64), _MM_HINT_T1);
        if (T == 1) {
            /* only the GEMV waits on memory; passes of 2-4 tokens compute (batch 8, hot, lost 3-5 % to it) */
            _mm_prefetch((const char *) (far2 + g * 64), _MM_HINT_T1);
        }
    }
    __m512i tb[4][3];
    for (int t = 0; t < T; t++) {
        for (int j = 0; j < 3; j++) {
            tb[t][j] = _mm512_loadu_si512(tab[t] + tab_off + j * WF_LUT_TABLE);
            KEEP(tb[t][j]);
        }
    }
    for (int g = 0; g < WF_LUT_P; g++) {
        __m512i w0 = _mm512_loadu_si512(wp + g * 64);
        KEEP(w0);
        /* vpermw reads the low 5 bits of each lane: no masking of the higher fields needed */
        const __m512i w1 = _mm512_srli_epi16(w0, 5);
        const __m512i w2 = _mm512_srli_epi16(w0, 10);
        for (int t = 0; t < T; t++) {
            const __m512i l0 = _mm512_permutexvar_epi16(w0, tb[t][0]);
            const __m512i l1 = _mm512_permutexvar_epi16(w1, tb[t][1]);
            const __m512i l2 = _mm512_permutexvar_epi16(w2, tb[t][2]);
            acc[g][t] = _mm512_add_epi16(acc[g][t], _mm512_add_epi16(_mm512_add_epi16(l0, l1), l2));
        }
    }
}

/*
 * Segments [s0, s1) of one panel for T tokens (1..4), added to the running results. TQ: f[g][t][h] holds the
 * oracle's block terms summed so far for rows h*16 .. h*16+15 of group g; I2_S: isum[g][t][h] the exact int32
 * row sums so far.
 */
WF_INLINE void lut_panel(int format, const uint8_t *panel, int32_t s0, int32_t s1, const int16_t *const *tab,
                         const float *const *dact, const int T, __m512 f[WF_LUT_P][4][2],
                         __m512i isum[WF_LUT_P][4][2], const pf_run *run) {
    const int64_t seg_bytes = wf_lut_seg_bytes(format);
    for (int32_t s = s0; s < s1; s++) {
        const uint8_t *seg = panel + (int64_t) (s - s0) * seg_bytes;
        const int64_t tab_off = (int64_t) s * WF_LUT_GROUPS * WF_LUT_TABLE;
        __m512i a[WF_LUT_P][4], b[WF_LUT_P][4];
        for (int g = 0; g < WF_LUT_P; g++) {
            for (int t = 0; t < T; t++) {
                a[g][t] = b[g][t] = _mm512_setzero_si512();
            }
        }
        for (int wd = 0; wd < WF_LUT_RUN; wd++) {
            lut_word(seg + (int64_t) wd * WF_LUT_P * 64, tab, tab_off + 3 * wd * WF_LUT_TABLE, T, a, run);
        }
        for (int wd = WF_LUT_RUN; wd < WF_LUT_WORDS; wd++) {
            lut_word(seg + (int64_t) wd * WF_LUT_P * 64, tab, tab_off + 3 * wd * WF_LUT_TABLE, T, b, run);
        }
        for (int g = 0; g < WF_LUT_P; g++) {
            __m512 dw[2];
            if (format != WF_I2_S) {
                const __m512i h = _mm512_loadu_si512(seg + ((int64_t) WF_LUT_WORDS * WF_LUT_P + g) * 64);
                dw[0] = _mm512_cvtph_ps(_mm512_castsi512_si256(h));
                dw[1] = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
            }
            for (int t = 0; t < T; t++) {
                __m512i lo, hi;
                widen2(a[g][t], b[g][t], &lo, &hi);
                if (format == WF_I2_S) {
                    isum[g][t][0] = _mm512_add_epi32(isum[g][t][0], lo);
                    isum[g][t][1] = _mm512_add_epi32(isum[g][t][1], hi);
                } else {
                    /* the oracle: f += (float) sumi * (d_act * d_w) */
                    const __m512 da = _mm512_set1_ps(dact[t][s]);
                    f[g][t][0] = _mm512_add_ps(f[g][t][0], _mm512_mul_ps(_mm512_cvtepi32_ps(lo), _mm512_mul_ps(da, dw[0])));
                    f[g][t][1] = _mm512_add_ps(f[g][t][1], _mm512_mul_ps(_mm512_cvtepi32_ps(hi), _mm512_mul_ps(da, dw[1])));
                }
            }
        }
    }
}

/*
 * Rows [row_start, row_end) for tokens t0 .. t0+T-1, chunk by chunk (see wf_lut_seg_offset): between chunks the
 * running results wait in y (TQ: the float sums, block order kept) or in part (I2_S: int32 row sums, one per
 * row of the range and token).
 */
WF_INLINE void lut_drive(int format, const uint8_t *lut, int32_t m, int32_t k, float tensor_scale,
                         const int16_t *tables, const float *scale, const int32_t *sum, int32_t t0, const int T,
                         float *y, int32_t row_start, int32_t row_end, int32_t *part) {
    const int64_t entries = wf_lut_token_entries(k);
    const int32_t nb = k / WF_QK;
    const int32_t segs = wf_lut_segs(k);
    const int32_t rows = row_end - row_start;
    const int16_t *tab[4];
    const float *dact[4];
    for (int t = 0; t < T; t++) {
        tab[t] = tables + (int64_t) (t0 + t) * entries;
        dact[t] = scale + (int64_t) (t0 + t) * nb;
    }
    const int32_t p_first = row_start / WF_LUT_ROWS;
    const int32_t p_end = (row_end + WF_LUT_ROWS - 1) / WF_LUT_ROWS;
    for (int32_t s0 = 0; s0 < segs; s0 += WF_LUT_CHUNK) {
        const int32_t s1 = s0 + WF_LUT_CHUNK < segs ? s0 + WF_LUT_CHUNK : segs;
        const int last = s1 == segs;
        /* this thread's run of the chunk: panels [p_first, p_end), contiguous; the next run starts at chunk s1 */
        const uint8_t *run_start = lut + wf_lut_seg_offset(format, m, k, p_first, s0);
        pf_run run;
        run.end = lut + wf_lut_seg_offset(format, m, k, p_end, s0);
        run.jump = last ? 0 : (lut + wf_lut_seg_offset(format, m, k, p_first, s1)) - run.end;
        if (s0 == 0) {
            /*
             * The first lines of the call: nothing earlier prefetched them, and the loop's prefetches run a distance
             * ahead, so without this the call opens with a stretch of demand misses.
             */
            for (int64_t o = 0; o < WF_LUT_PF_BYTES; o += 64) {
                _mm_prefetch((const char *) pf_at(run_start + o, &run), _MM_HINT_T0);
            }
            for (int64_t o = WF_LUT_PF_BYTES; o < WF_LUT_PF_FAR2_BYTES; o += 64) {
                _mm_prefetch((const char *) pf_at(run_start + o, &run), _MM_HINT_T1);
            }
        }
        for (int32_t p = p_first; p < p_end; p++) {
            __m512 f[WF_LUT_P][4][2];
            __m512i isum[WF_LUT_P][4][2];
            __mmask16 keep[WF_LUT_P][2];
            int32_t r0[WF_LUT_P][2];
            for (int g = 0; g < WF_LUT_P; g++) {
                for (int h = 0; h < 2; h++) {
                    r0[g][h] = p * WF_LUT_ROWS + g * WF_LUT_LANES + h * 16;
                    /* lanes whose row lies in [row_start, row_end) */
                    const int32_t lo = row_start > r0[g][h] ? row_start - r0[g][h] : 0;
                    const int32_t hi = row_end - r0[g][h] < 16 ? row_end - r0[g][h] : 16;
                    keep[g][h] = hi <= lo ? 0 : (__mmask16) (((1u << hi) - 1) & ~((1u << lo) - 1));
                    for (int t = 0; t < T; t++) {
                        if (s0 == 0) {
                            f[g][t][h] = _mm512_setzero_ps();
                            isum[g][t][h] = _mm512_setzero_si512();
                        } else if (format == WF_I2_S) {
                            isum[g][t][h] = _mm512_maskz_loadu_epi32(keep[g][h], part + (int64_t) t * rows + r0[g][h] - row_start);
                        } else {
                            f[g][t][h] = _mm512_maskz_loadu_ps(keep[g][h], y + (int64_t) (t0 + t) * m + r0[g][h]);
                        }
                    }
                }
            }
            lut_panel(format, lut + wf_lut_seg_offset(format, m, k, p, s0), s0, s1, tab, dact, T, f, isum, &run);
            for (int g = 0; g < WF_LUT_P; g++) {
                for (int h = 0; h < 2; h++) {
                    for (int t = 0; t < T; t++) {
                        float *out = y + (int64_t) (t0 + t) * m + r0[g][h];
                        if (format != WF_I2_S) {
                            _mm512_mask_storeu_ps(out, keep[g][h], f[g][t][h]);
                        } else if (!last) {
                            _mm512_mask_storeu_epi32(part + (int64_t) t * rows + r0[g][h] - row_start, keep[g][h], isum[g][t][h]);
                        } else {
                            /* the oracle: ((float) sum(code*q) - (float) sum(q)) / s * tensor_scale */
                            const int32_t qs = sum[t0 + t];
                            const __m512i code_dot = _mm512_add_epi32(isum[g][t][h], _mm512_set1_epi32(qs));
                            __m512 v = _mm512_sub_ps(_mm512_cvtepi32_ps(code_dot), _mm512_set1_ps((float) qs));
                            v = _mm512_div_ps(v, _mm512_set1_ps(scale[t0 + t]));
                            v = _mm512_mul_ps(v, _mm512_set1_ps(tensor_scale));
                            _mm512_mask_storeu_ps(out, keep[g][h], v);
                        }
                    }
                }
            }
        }
    }
}

#define WF_LUT_DRIVE(fmt)                                                                                        \
    do {                                                                                                         \
        int32_t t0 = 0;                                                                                          \
        for (; t0 + 4 <= n; t0 += 4) {                                                                           \
            lut_drive(fmt, lut, m, k, tensor_scale, tables, scale, sum, t0, 4, y, row_start, row_end, part);           \
        }                                                                                                        \
        switch (n - t0) {                                                                                        \
            case 3: lut_drive(fmt, lut, m, k, tensor_scale, tables, scale, sum, t0, 3, y, row_start, row_end, part); break; \
            case 2: lut_drive(fmt, lut, m, k, tensor_scale, tables, scale, sum, t0, 2, y, row_start, row_end, part); break; \
            case 1: lut_drive(fmt, lut, m, k, tensor_scale, tables, scale, sum, t0, 1, y, row_start, row_end, part); break; \
            default: break;                                                                                      \
        }                                                                                                        \
    } while (0)

int wf_lut_matmul_avx512(int format, const uint8_t *lut, int32_t m, int32_t k, float tensor_scale,
                         const int16_t *tables, const float *scale, const int32_t *sum, int32_t n, float *y,
                         int32_t row_start, int32_t row_end) {
    /* TQ1_0 and TQ2_0 share the layout and the kernel; the format is a constant in each instance */
    int32_t *part = NULL;
    if (format == WF_I2_S && wf_lut_segs(k) > WF_LUT_CHUNK) {
        part = (int32_t *) (void *) wf_scratch((size_t) 4 * (size_t) (row_end - row_start) * (size_t) (n < 4 ? n : 4));
        if (part == NULL) {
            return WF_ERR_NOMEM;
        }
    }
    if (format == WF_I2_S) {
        WF_LUT_DRIVE(WF_I2_S);
    } else {
        WF_LUT_DRIVE(WF_TQ2_0);
    }
    return WF_OK;
}
#endif
