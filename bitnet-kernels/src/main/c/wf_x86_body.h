/*
 * The x86 kernels, written once for five ISA paths. Each including file defines
 *   WF_W     256 or 512 (vector width in bits)
 *   WF_VNNI  1: vpdpbusd (u8 x s8, sums of 4 straight into int32); 0: vpmaddubsw into int16, widened
 *   WF_ISA   the suffix of the exported kernel names (avx2, avxvnni, avx512bw, avx512vnni, avx512vnni256)
 *   WF_EVEX  optional, with WF_W 256 and WF_VNNI 1: the EVEX (AVX512-VL) form of the 256-bit vpdpbusd instead of
 *            the VEX (AVX-VNNI) one; the same code otherwise, so CPUs with AVX-512 VNNI test the AVX-VNNI path
 * and is compiled with exactly the -m flags its ISA needs.
 *
 * Two drivers. GEMV (one token, the decode step) reads one row at a time front to back, VB contiguous bytes per
 * vector (32 or 64), because a single sequential stream is what the prefetchers serve best when the weights come
 * from DRAM; it reduces four blocks of a row at a time. Tiles (several tokens) read 32-byte chunks of RP * RV
 * rows side by side and reuse each weight load for up to four tokens: a 256-bit vector holds one row's chunk,
 * a 512-bit vector the same chunk of two rows (low and high half) against activations broadcast to both halves.
 * A TQ2_0 block is two chunks of 128 weights (four 2-bit planes per byte), an I2_S block one chunk, a TQ1_0 block
 * two overlapping chunks (bytes 0..31 and 22..53, or one masked 52-byte load at 512 bits) of base-3 digits.
 * Activations are read in their natural order, except TQ1_0's digit planes and the 512-bit GEMV's 64-byte
 * groups, which are repacked once per call (wf_repack_tq1, wf_repack_halves).
 *
 * Integers. Codes are stored as u8 0..2 (w + 1), exactly the unsigned operand vpmaddubsw / vpdpbusd want, so
 * the kernels form sum(code * q) and subtract sum(q) (the Q8_K block sums or the I8_S row sum) afterwards.
 *
 * Overflow. vpmaddubsw adds two products code*q with code <= 2 and q in [-128, 127]: each int16 result lies in
 * [-512, 508], far from its saturation. The maddubs paths add at most 32 such results per int16 lane before
 * widening to int32 with vpmaddwd (I2_S: 8 chunks x 4 planes; TQ2_0: 8 per block; TQ1_0: 10 per block):
 * |sum| <= 32 * 512 = 16384 < 32767 for every input. vpdpbusd has no intermediate: an int32 lane gains at
 * most 4 * 2 * 128 = 1024 per instruction.
 *
 * Epilogue. Per 256-block (TQ) or per row (I2_S), the int32 lanes of four accumulators are reduced together
 * (reduce_group, reduce4_full), and the float epilogue runs in 128-bit lanes with the oracle's operations in the oracle's
 * order (no FMA: -ffp-contract=off): every path is bit-identical to the Java scalar oracle.
 *
 * Tiles. RP row vectors (RP * RV rows) x T tokens per pass: the codes of a weight load serve T tokens, an
 * activation load RP row vectors (with AVX2's 16 registers only one row vector's codes are live, and the
 * activations are re-read from L1 as memory operands).
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

/*
 * Software prefetch for the cold case, where weights stream from DRAM (measured on Zen 4, one thread):
 *  - GEMV, TQ formats: 2 KiB ahead into L1. These are compute-bound near the memory rate; a second, far
 *    prefetch cost more than it hid.
 *  - GEMV, I2_S: 1 KiB ahead into L1 and 7 KiB ahead into L2; it computes fast enough to wait on DRAM, and
 *    the far prefetch keeps enough lines in flight (~19 GB/s against ~12 with the near one alone).
 *  - tiles (several tokens, compute-bound): each row of the tile 512 bytes ahead (see prefetch_ahead).
 * Prefetches never fault, past the end of the matrix included.
 */
#define WF_PF_TQ_BYTES 2048
#define WF_PF_I2S_NEAR_BYTES 1024
#define WF_PF_I2S_FAR_BYTES 7168
#define WF_PF_TILE_BYTES 512

#define LD256(p) _mm256_loadu_si256((const __m256i *) (const void *) (p))

#if WF_W == 256
typedef __m256i vi;
#define RV 1                      /* rows per vector */
#define LOADW(p0, p1) LD256(p0)
#define LOADX(p) LD256(p)
#define AND(a, b) _mm256_and_si256(a, b)
#define SRL16(a, n) _mm256_srli_epi16(a, n)
#define SET8(x) _mm256_set1_epi8((char) (x))
#define ADD8(a, b) _mm256_add_epi8(a, b)
#define ADD16(a, b) _mm256_add_epi16(a, b)
#define ADD32(a, b) _mm256_add_epi32(a, b)
#define ZERO() _mm256_setzero_si256()
#define MADDUBS(c, x) _mm256_maddubs_epi16(c, x)
#define WIDEN16(a) _mm256_madd_epi16(a, _mm256_set1_epi16(1))
#define UNPACKLO32(a, b) _mm256_unpacklo_epi32(a, b)
#define UNPACKHI32(a, b) _mm256_unpackhi_epi32(a, b)
#define UNPACKLO64(a, b) _mm256_unpacklo_epi64(a, b)
#define UNPACKHI64(a, b) _mm256_unpackhi_epi64(a, b)
#if WF_VNNI && defined(WF_EVEX)
#define DPBUSD(acc, c, x) _mm256_dpbusd_epi32(acc, c, x)
#elif WF_VNNI
#define DPBUSD(acc, c, x) _mm256_dpbusd_avx_epi32(acc, c, x)
#endif
#define RP_T1 4                   /* row vectors per tile: one token, several tokens */
#define RP_TN 2
#define WF_SHARE_CODES 0

/* Base-3 digit of every byte: ((v * 3) >> 8) = (v >= 86) + (v >= 171), as signed compares after a bias. */
WF_INLINE vi tq1_digit(vi v) {
    const vi vb = _mm256_xor_si256(v, SET8(0x80));
    const vi ge86 = _mm256_cmpgt_epi8(vb, SET8(85 ^ 0x80));
    const vi ge171 = _mm256_cmpgt_epi8(vb, SET8(170 ^ 0x80));
    return _mm256_sub_epi8(_mm256_sub_epi8(ZERO(), ge86), ge171);
}

#elif WF_W == 512
typedef __m512i vi;
#define RV 2
#define LOADW(p0, p1) _mm512_inserti64x4(_mm512_castsi256_si512(LD256(p0)), LD256(p1), 1)
#define LOADX(p) _mm512_broadcast_i64x4(LD256(p))
#define AND(a, b) _mm512_and_si512(a, b)
#define SRL16(a, n) _mm512_srli_epi16(a, n)
#define SET8(x) _mm512_set1_epi8((char) (x))
#define ADD8(a, b) _mm512_add_epi8(a, b)
#define ADD16(a, b) _mm512_add_epi16(a, b)
#define ADD32(a, b) _mm512_add_epi32(a, b)
#define ZERO() _mm512_setzero_si512()
#define MADDUBS(c, x) _mm512_maddubs_epi16(c, x)
#define WIDEN16(a) _mm512_madd_epi16(a, _mm512_set1_epi16(1))
#define UNPACKLO32(a, b) _mm512_unpacklo_epi32(a, b)
#define UNPACKHI32(a, b) _mm512_unpackhi_epi32(a, b)
#define UNPACKLO64(a, b) _mm512_unpacklo_epi64(a, b)
#define UNPACKHI64(a, b) _mm512_unpackhi_epi64(a, b)
#if WF_VNNI
#define DPBUSD(acc, c, x) _mm512_dpbusd_epi32(acc, c, x)
#endif
#define RP_T1 4
#define RP_TN 2
#define WF_SHARE_CODES 1

/* Base-3 digit of every byte: (v >= 86) + (v >= 171); the second set is inside the first. */
WF_INLINE vi tq1_digit(vi v) {
    const __mmask64 ge86 = _mm512_cmpge_epu8_mask(v, SET8(86));
    const __mmask64 ge171 = _mm512_cmpge_epu8_mask(v, SET8(171));
    return _mm512_mask_mov_epi8(_mm512_maskz_mov_epi8(ge86, SET8(1)), ge171, SET8(2));
}

#else
#error "WF_W must be 256 or 512"
#endif

/* DOT adds code*q products into acc; ACC_I32 gives acc as int32 lanes (see the overflow note above). */
#if WF_VNNI
#define DOT(acc, c, x) (acc) = DPBUSD(acc, c, x)
#define ACC_I32(acc) (acc)
#else
#define DOT(acc, c, x) (acc) = ADD16(acc, MADDUBS(c, x))
#define ACC_I32(acc) WIDEN16(acc)
#endif

/* maddubs: at most 8 chunks x 4 planes = 32 int16 additions per lane before widening (the overflow note) */
#define I2S_WIDEN_CHUNKS 8

#define PREFETCH_L1(p) _mm_prefetch((const char *) (p), _MM_HINT_T0)
#define PREFETCH_L2(p) _mm_prefetch((const char *) (p), _MM_HINT_T1)

/*
 * Prefetch for the read at byte `off` of a row of a tile whose other rows span `skip` bytes. A tile reads its
 * rows side by side and rows are short (660 bytes at K = 2560), so past a row's end the prefetch moves on to
 * the same row of the next tile: the tile as a whole keeps R * WF_PF_TILE_BYTES in flight.
 */
WF_INLINE void prefetch_ahead(const uint8_t *p, int64_t off, int64_t row_bytes, int64_t skip) {
    PREFETCH_L1(p + WF_PF_TILE_BYTES + (off + WF_PF_TILE_BYTES >= row_bytes ? skip : 0));
}

/*
 * Tile arrays have fixed sizes (a variable-length array would live on the stack); with RP and T constants
 * after inlining and every loop fully unrolled, gcc keeps them in registers.
 */
#define WF_RPMAX 4
#define WF_TMAX 4
#define WF_GMAX ((WF_RPMAX * WF_TMAX + 3) / 4)
/* Accumulator q = rp * T + t; groups of four accumulators are reduced together. */
#define WF_GROUPS(RP, T) (((RP) * (T) + 3) / 4)

/* Per-call context: the activations as the kernels read them, and the TQ block metadata block-major. */
typedef struct {
    const int8_t *act;     /* activations: a->q, or TQ1_0's repacked digit planes */
    int64_t stride;        /* bytes between tokens in act */
    const int32_t *qsum;   /* TQ: sum of block b's quants of token t at [b * n + t] */
    const float *dact;     /* TQ: d of block b of token t at [b * n + t] */
} wf_ctx;

/*
 * [sum of v0's lanes, v1's, v2's, v3's] for each row half: out[h] lane j sums the h-th row half of vj. A
 * transposition by unpacks within 128-bit lanes, then a fold of the 128-bit lanes of each half.
 */
WF_INLINE void reduce_group(vi v0, vi v1, vi v2, vi v3, __m128i out[RV]) {
    const vi ab = ADD32(UNPACKLO32(v0, v1), UNPACKHI32(v0, v1));  /* [a0+a2 b0+b2 a1+a3 b1+b3] per 128 bits */
    const vi cd = ADD32(UNPACKLO32(v2, v3), UNPACKHI32(v2, v3));
    const vi s = ADD32(UNPACKLO64(ab, cd), UNPACKHI64(ab, cd));   /* [a b c d] partial sums per 128 bits */
#if WF_W == 256
    out[0] = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
#else
    const __m512i f = _mm512_add_epi32(s, _mm512_shuffle_i32x4(s, s, 0xB1));  /* 128-bit lanes 1 0 3 2 */
    out[0] = _mm512_castsi512_si128(f);
    out[1] = _mm512_extracti32x4_epi32(f, 2);
#endif
}

WF_INLINE uint16_t u16_at(const uint8_t *p) {
    uint16_t h;
    __builtin_memcpy(&h, p, 2);
    return h;
}

/* Row pointers of a tile; rows past nrows repeat the last valid row (read, never stored). */
WF_INLINE void tile_rows(const wf_mm *a, int r0, int nrows, const int R, const uint8_t **row) {
    for (int i = 0; i < R; i++) {
        row[i] = a->w + (int64_t) (r0 + (i < nrows ? i : nrows - 1)) * a->row_bytes;
    }
}

WF_INLINE void zero_acc(vi acc[WF_RPMAX][WF_TMAX], const int RP, const int T) {
    for (int rp = 0; rp < RP; rp++) {
        for (int t = 0; t < T; t++) {
            acc[rp][t] = ZERO();
        }
    }
}

/*
 * The TQ epilogue of one 256-block for every (row, token) of the tile, in the oracle's order and rounding:
 * f += (float) (sum(code * q) - sum(q)) * (d_act * d_w), one float multiply then one float add.
 */
WF_INLINE void tq_epilogue(const wf_mm *a, const wf_ctx *cx, const uint8_t *const *row, int64_t d_off, int b,
                           int t0, const int RP, const int T, vi acc[WF_RPMAX][WF_TMAX], __m128 f[WF_GMAX][RV]) {
    const int64_t meta = (int64_t) b * a->n + t0;
    for (int g = 0; g < WF_GROUPS(RP, T); g++) {
        vi v[4];
        for (int j = 0; j < 4; j++) {
            const int q = 4 * g + j;
            v[j] = q < RP * T ? ACC_I32(acc[q / T][q % T]) : ZERO();
        }
        __m128i sumi[RV];
        reduce_group(v[0], v[1], v[2], v[3], sumi);
        __m128i qsum;
        __m128 dact;
        if (T == 4) {  /* lane j is token j */
            qsum = _mm_loadu_si128((const __m128i *) (const void *) (cx->qsum + meta));
            dact = _mm_loadu_ps(cx->dact + meta);
        } else if (T == 1) {
            qsum = _mm_set1_epi32(cx->qsum[meta]);
            dact = _mm_set1_ps(cx->dact[meta]);
        } else {
            int32_t s[4] = {0, 0, 0, 0};
            float d[4] = {0, 0, 0, 0};
            for (int j = 0; j < 4 && 4 * g + j < RP * T; j++) {
                s[j] = cx->qsum[meta + (4 * g + j) % T];
                d[j] = cx->dact[meta + (4 * g + j) % T];
            }
            qsum = _mm_setr_epi32(s[0], s[1], s[2], s[3]);
            dact = _mm_setr_ps(d[0], d[1], d[2], d[3]);
        }
        for (int h = 0; h < RV; h++) {
            __m128 dw;
            if (T == 4) {  /* one row vector per group */
                dw = _mm_set1_ps(_cvtsh_ss(u16_at(row[g * RV + h] + d_off)));
            } else {
                uint16_t hw[4] = {0, 0, 0, 0};
                for (int j = 0; j < 4 && 4 * g + j < RP * T; j++) {
                    hw[j] = u16_at(row[((4 * g + j) / T) * RV + h] + d_off);
                }
                dw = _mm_cvtph_ps(_mm_setr_epi16((short) hw[0], (short) hw[1], (short) hw[2], (short) hw[3], 0, 0, 0, 0));
            }
            const __m128 scale = _mm_mul_ps(dact, dw);
            f[g][h] = _mm_add_ps(f[g][h], _mm_mul_ps(_mm_cvtepi32_ps(_mm_sub_epi32(sumi[h], qsum)), scale));
        }
    }
}

WF_INLINE void tq_store(const wf_mm *a, int r0, int nrows, int t0, const int RP, const int T, __m128 f[WF_GMAX][RV]) {
    for (int g = 0; g < WF_GROUPS(RP, T); g++) {
        for (int h = 0; h < RV; h++) {
            float out[4];
            _mm_storeu_ps(out, f[g][h]);
            for (int j = 0; j < 4 && 4 * g + j < RP * T; j++) {
                const int q = 4 * g + j;
                const int r = (q / T) * RV + h;
                if (r < nrows) {
                    a->y[(int64_t) (t0 + q % T) * a->m + r0 + r] = out[j];
                }
            }
        }
    }
}

WF_INLINE void zero_f(__m128 f[WF_GMAX][RV], const int RP, const int T) {
    for (int g = 0; g < WF_GROUPS(RP, T); g++) {
        for (int h = 0; h < RV; h++) {
            f[g][h] = _mm_setzero_ps();
        }
    }
}

/*
 * Codes times activations for one chunk position. NP planes of codes per row vector (c[rp][l]) meet the
 * activation vectors LOADX(x(t) + 32 * l). WF_SHARE_CODES: all row vectors' codes are live and each activation
 * load serves them all; otherwise the caller hands one row vector at a time.
 */
#define WF_DOTS(acc, c, RP, T, xbase, NP)                                  \
    do {                                                                   \
        for (int t = 0; t < (T); t++) {                                    \
            const int8_t *x_ = xbase(t);                                   \
            for (int l = 0; l < (NP); l++) {                               \
                const vi xv = LOADX(x_ + 32 * l);                          \
                for (int rp = 0; rp < (RP); rp++) {                        \
                    DOT(acc[rp][t], c[rp][l], xv);                         \
                }                                                          \
            }                                                              \
        }                                                                  \
    } while (0)

/*
 * Pins a loaded vector in a register. Without it gcc folds the load of a weight vector into each of the four
 * shift/and instructions that use it: four loads (mostly cache-line splits, TQ blocks being 66 bytes) where one
 * does, which made the load ports the bottleneck of the GEMV.
 */
#define KEEP(v) __asm__("" : "+v"(v))

/* The four 2-bit planes of a chunk: TQ2_0 keeps plane l at bits 2l, I2_S at bits 6 - 2l. */
#define PLANES(c, w_in, m3, i2s)                                \
    do {                                                        \
        vi wp_ = (w_in);                                          \
        KEEP(wp_);                                                \
        (c)[0] = AND((i2s) ? SRL16(wp_, 6) : (wp_), m3);            \
        (c)[1] = AND(SRL16(wp_, (i2s) ? 4 : 2), m3);              \
        (c)[2] = AND(SRL16(wp_, (i2s) ? 2 : 4), m3);              \
        (c)[3] = AND((i2s)  ? (wp_) : SRL16(wp_, 6), m3);            \
    } while (0)

/*
 * 2-bit formats, one chunk position for the whole tile: byte offset `off` in every row, activations at
 * xbase(t). Loads, planes, dots; prefetches the stream when `pf`.
 */
#define WF_CHUNK_2BIT(acc, row, off, xbase, i2s, pf)                                   \
    do {                                                                               \
        if (WF_SHARE_CODES) {                                                          \
            vi c_[WF_RPMAX][4];                                                        \
            for (int rp = 0; rp < RP; rp++) {                                          \
                const uint8_t *p0 = row[rp * RV] + (off);                              \
                const uint8_t *p1 = row[rp * RV + RV - 1] + (off);                     \
                if (pf) {                                                              \
                    prefetch_ahead(p0, (off), a->row_bytes, pf_skip);                  \
                    prefetch_ahead(p1, (off), a->row_bytes, pf_skip);                  \
                }                                                                      \
                const vi w_ = LOADW(p0, p1);                                           \
                PLANES(c_[rp], w_, m3, i2s);                                           \
            }                                                                          \
            WF_DOTS(acc, c_, RP, T, xbase, 4);                                         \
        } else {                                                                       \
            for (int rp = 0; rp < RP; rp++) {                                          \
                const uint8_t *p0 = row[rp * RV] + (off);                              \
                if (pf) {                                                              \
                    prefetch_ahead(p0, (off), a->row_bytes, pf_skip);                  \
                }                                                                      \
                const vi w_ = LOADW(p0, p0);                                           \
                vi c_[1][4];                                                           \
                PLANES(c_[0], w_, m3, i2s);                                            \
                vi (*acc_rp)[WF_TMAX] = &acc[rp];                                      \
                WF_DOTS(acc_rp, c_, 1, T, xbase, 4);                                   \
            }                                                                          \
        }                                                                              \
    } while (0)

/* ---- TQ2_0 x Q8_K ---- */
WF_INLINE void tq2_tile(const wf_mm *a, const wf_ctx *cx, int r0, int nrows, int t0, const int RP, const int T) {
    const int nb = a->k / WF_QK;
    const vi m3 = SET8(3);
    const uint8_t *row[WF_RPMAX * RV];
    tile_rows(a, r0, nrows, RP * RV, row);
    const int64_t pf_skip = (int64_t) (RP * RV - 1) * a->row_bytes;
    __m128 f[WF_GMAX][RV];
    zero_f(f, RP, T);
    for (int b = 0; b < nb; b++) {
        vi acc[WF_RPMAX][WF_TMAX];
        zero_acc(acc, RP, T);
        for (int s = 0; s < 2; s++) {
#define XBASE(t) (cx->act + (t0 + (t)) * cx->stride + (int64_t) b * WF_QK + s * 128)
            WF_CHUNK_2BIT(acc, row, (int64_t) b * WF_TQ2_BYTES + 32 * s, XBASE, 0, s == 0);
#undef XBASE
        }
        tq_epilogue(a, cx, row, (int64_t) b * WF_TQ2_BYTES + 64, b, t0, RP, T, acc, f);
    }
    tq_store(a, r0, nrows, t0, RP, T, f);
}

/* ---- TQ1_0 x Q8_K: base-3 digits, 5 planes of two overlapping chunks; activations from wf_repack_tq1 ---- */
WF_INLINE void tq1_rows(const wf_ctx *cx, const uint8_t *const *row, int64_t row_bytes, int64_t pf_skip, int b,
                        int t0, const int RP, const int T, vi acc[WF_RPMAX][WF_TMAX]) {
    vi v[WF_RPMAX][2];
    for (int rp = 0; rp < RP; rp++) {
        const uint8_t *p0 = row[rp * RV] + (int64_t) b * WF_TQ1_BYTES;
        const uint8_t *p1 = row[rp * RV + RV - 1] + (int64_t) b * WF_TQ1_BYTES;
        prefetch_ahead(p0, (int64_t) b * WF_TQ1_BYTES, row_bytes, pf_skip);
        if (RV > 1) {
            prefetch_ahead(p1, (int64_t) b * WF_TQ1_BYTES, row_bytes, pf_skip);
        }
        v[rp][0] = LOADW(p0, p1);
        v[rp][1] = LOADW(p0 + WF_TQ1_PART_OFF, p1 + WF_TQ1_PART_OFF);
    }
    for (int n = 0; n < 5; n++) {
        vi c[WF_RPMAX][2];
        for (int rp = 0; rp < RP; rp++) {
            for (int s = 0; s < 2; s++) {
                c[rp][s] = tq1_digit(v[rp][s]);
                v[rp][s] = ADD8(ADD8(v[rp][s], v[rp][s]), v[rp][s]);  /* next digit: v * 3 mod 256 */
            }
        }
#define XBASE(t) (cx->act + (t0 + (t)) * cx->stride + (int64_t) b * WF_TQ1_ACT_BYTES + n * 64)
        WF_DOTS(acc, c, RP, T, XBASE, 2);
#undef XBASE
    }
}

WF_INLINE void tq1_tile(const wf_mm *a, const wf_ctx *cx, int r0, int nrows, int t0, const int RP, const int T) {
    const int nb = a->k / WF_QK;
    const uint8_t *row[WF_RPMAX * RV];
    tile_rows(a, r0, nrows, RP * RV, row);
    const int64_t pf_skip = (int64_t) (RP * RV - 1) * a->row_bytes;
    __m128 f[WF_GMAX][RV];
    zero_f(f, RP, T);
    for (int b = 0; b < nb; b++) {
        vi acc[WF_RPMAX][WF_TMAX];
        zero_acc(acc, RP, T);
        if (WF_SHARE_CODES) {
            tq1_rows(cx, row, a->row_bytes, pf_skip, b, t0, RP, T, acc);
        } else {
            for (int rp = 0; rp < RP; rp++) {
                vi (*acc_rp)[WF_TMAX] = &acc[rp];
                tq1_rows(cx, row + rp * RV, a->row_bytes, pf_skip, b, t0, 1, T, acc_rp);
            }
        }
        tq_epilogue(a, cx, row, (int64_t) b * WF_TQ1_BYTES + 52, b, t0, RP, T, acc, f);
    }
    tq_store(a, r0, nrows, t0, RP, T, f);
}

/* ---- I2_S x I8_S: one int32 sum per row and token, then the oracle's epilogue ---- */

WF_INLINE void i2s_tile(const wf_mm *a, const wf_ctx *cx, int r0, int nrows, int t0, const int RP, const int T) {
    const int chunks = a->k / WF_I2S_QK;
    const vi m3 = SET8(3);
    const uint8_t *row[WF_RPMAX * RV];
    tile_rows(a, r0, nrows, RP * RV, row);
    const int64_t pf_skip = (int64_t) (RP * RV - 1) * a->row_bytes;
    vi sum[WF_RPMAX][WF_TMAX];
    zero_acc(sum, RP, T);
    for (int c0 = 0; c0 < chunks; c0 += I2S_WIDEN_CHUNKS) {
        const int c1 = c0 + I2S_WIDEN_CHUNKS < chunks ? c0 + I2S_WIDEN_CHUNKS : chunks;
        vi acc[WF_RPMAX][WF_TMAX];
        zero_acc(acc, RP, T);
        for (int ch = c0; ch < c1; ch++) {
#define XBASE(t) (cx->act + (t0 + (t)) * cx->stride + (int64_t) ch * WF_I2S_QK)
            WF_CHUNK_2BIT(acc, row, (int64_t) ch * WF_I2S_BYTES, XBASE, 1, (ch & 1) == 0);
#undef XBASE
        }
        for (int rp = 0; rp < RP; rp++) {
            for (int t = 0; t < T; t++) {
                sum[rp][t] = ADD32(sum[rp][t], ACC_I32(acc[rp][t]));
            }
        }
    }
    for (int g = 0; g < WF_GROUPS(RP, T); g++) {
        vi v[4];
        for (int j = 0; j < 4; j++) {
            const int q = 4 * g + j;
            v[j] = q < RP * T ? sum[q / T][q % T] : ZERO();
        }
        __m128i dots[RV];
        reduce_group(v[0], v[1], v[2], v[3], dots);
        for (int h = 0; h < RV; h++) {
            int32_t dot[4];
            _mm_storeu_si128((__m128i *) (void *) dot, dots[h]);
            for (int j = 0; j < 4 && 4 * g + j < RP * T; j++) {
                const int q = 4 * g + j;
                const int r = (q / T) * RV + h;
                const int t = t0 + q % T;
                if (r < nrows) {
                    float y = (float) dot[j] - (float) a->sum[t];
                    y = y / a->scale[t];
                    a->y[(int64_t) t * a->m + r0 + r] = y * a->tensor_scale;
                }
            }
        }
    }
}

/*
 * ---- GEMV (one token): one row at a time ----
 * Decode streams the weights from DRAM once per token, and the hardware prefetchers follow one sequential
 * stream far better than rows read side by side (on Zen 4: ~25 GB/s against ~10 GB/s for 2 to 8 interleaved
 * rows). So the GEMV path reads each row front to back, GV_BYTES contiguous bytes per vector (a 512-bit vector
 * holds 64 bytes of one row; the activations are repacked to match, see wf_repack_halves), and reduces four
 * blocks of the row at a time; the float epilogue then adds the four blocks' terms in block order.
 */
#if WF_W == 512
#define GV_BYTES 64
#define GV_LOAD(p) _mm512_loadu_si512((const void *) (p))
#else
#define GV_BYTES 32
#define GV_LOAD(p) LD256(p)
#endif

/* [sum of v0's lanes, v1's, v2's, v3's] over the whole vector. */
WF_INLINE __m128i reduce4_full(vi v0, vi v1, vi v2, vi v3) {
    const vi ab = ADD32(UNPACKLO32(v0, v1), UNPACKHI32(v0, v1));
    const vi cd = ADD32(UNPACKLO32(v2, v3), UNPACKHI32(v2, v3));
    const vi s = ADD32(UNPACKLO64(ab, cd), UNPACKHI64(ab, cd));
#if WF_W == 512
    const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
#else
    const __m256i h = s;
#endif
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

/* sum(code * q) of one TQ2_0 block as int32 lanes; act is the block's activations in the GEMV layout. */
WF_INLINE vi tq2_block_gemv(const uint8_t *x, const int8_t *act, vi m3) {
    vi acc = ZERO();
    for (int s = 0; s < 64 / GV_BYTES; s++) {
        const vi w = GV_LOAD(x + s * GV_BYTES);
        vi c[4];
        PLANES(c, w, m3, 0);
        for (int l = 0; l < 4; l++) {
            DOT(acc, c[l], GV_LOAD(act + s * 4 * GV_BYTES + l * GV_BYTES));
        }
    }
    return ACC_I32(acc);
}

/* sum(code * q) of one TQ1_0 block; act is the block's 5 digit planes (wf_repack_tq1 with GV_TQ1_OFF). */
#if WF_W == 512
#define GV_TQ1_OFF 32  /* one masked load of the 52 code bytes: lanes 32..51 are block bytes 32..51 */
#else
#define GV_TQ1_OFF WF_TQ1_PART_OFF
#endif
WF_INLINE vi tq1_block_gemv(const uint8_t *x, const int8_t *act) {
    vi v[64 / GV_BYTES];
#if WF_W == 512
    v[0] = _mm512_maskz_loadu_epi8(0x000FFFFFFFFFFFFFull, x);  /* masked-off bytes are not read */
#else
    v[0] = LD256(x);
    v[1] = LD256(x + WF_TQ1_PART_OFF);
    KEEP(v[1]);
#endif
    KEEP(v[0]);
    vi acc = ZERO();
    for (int n = 0; n < 5; n++) {
        for (int s = 0; s < 64 / GV_BYTES; s++) {
            DOT(acc, tq1_digit(v[s]), GV_LOAD(act + n * 64 + s * GV_BYTES));
            v[s] = ADD8(ADD8(v[s], v[s]), v[s]);  /* next digit: v * 3 mod 256 */
        }
    }
    return ACC_I32(acc);
}

/*
 * One output of a TQ format: blocks reduced four at a time, then the oracle's epilogue in block order,
 * sumf += (float) (sum(code * q) - sum(q)) * (d_act * d_w).
 */
#define WF_TQ_GEMV_ROW(name, BYTES, D_OFF, block_expr)                                               \
    WF_INLINE float name(const wf_mm *a, const int8_t *act, const uint8_t *row) {                   \
        const int nb = a->k / WF_QK;                                                                \
        const int32_t *qs = a->sum;                                                                 \
        const float *ds = a->scale;                                                                 \
        const vi m3 = SET8(3);                                                                      \
        (void) m3;                                                                                  \
        float f = 0;                                                                                \
        for (int b0 = 0; b0 < nb; b0 += 4) {                                                        \
            const int nblk = nb - b0 < 4 ? nb - b0 : 4;                                             \
            vi v[4];                                                                                \
            uint16_t hw[4] = {0, 0, 0, 0};                                                          \
            for (int j = 0; j < 4; j++) {                                                           \
                if (j < nblk) {                                                                     \
                    const int b = b0 + j;                                                           \
                    const uint8_t *x = row + (int64_t) b * (BYTES);                                 \
                    PREFETCH_L1(x + WF_PF_TQ_BYTES);                                                \
                    v[j] = (block_expr);                                                            \
                    hw[j] = u16_at(x + (D_OFF));                                                    \
                } else {                                                                            \
                    v[j] = ZERO();                                                                  \
                }                                                                                   \
            }                                                                                       \
            __m128i qsum;                                                                           \
            __m128 dact;                                                                            \
            if (nblk == 4) {                                                                        \
                qsum = _mm_loadu_si128((const __m128i *) (const void *) (qs + b0));                 \
                dact = _mm_loadu_ps(ds + b0);                                                       \
            } else {                                                                                \
                int32_t s4[4] = {0, 0, 0, 0};                                                       \
                float d4[4] = {0, 0, 0, 0};                                                         \
                for (int j = 0; j < nblk; j++) {                                                    \
                    s4[j] = qs[b0 + j];                                                             \
                    d4[j] = ds[b0 + j];                                                             \
                }                                                                                   \
                qsum = _mm_loadu_si128((const __m128i *) (void *) s4);                              \
                dact = _mm_loadu_ps(d4);                                                            \
            }                                                                                       \
            const __m128 dw = _mm_cvtph_ps(_mm_setr_epi16((short) hw[0], (short) hw[1],             \
                                                          (short) hw[2], (short) hw[3], 0, 0, 0, 0)); \
            const __m128 term = _mm_mul_ps(_mm_cvtepi32_ps(_mm_sub_epi32(reduce4_full(v[0], v[1], v[2], v[3]), qsum)), \
                                           _mm_mul_ps(dact, dw));                                   \
            float t4[4];                                                                            \
            _mm_storeu_ps(t4, term);                                                                \
            for (int j = 0; j < nblk; j++) {                                                        \
                f += t4[j];                                                                         \
            }                                                                                       \
        }                                                                                           \
        return f;                                                                                   \
    }

WF_TQ_GEMV_ROW(tq2_gemv_row, WF_TQ2_BYTES, 64, tq2_block_gemv(x, act + (int64_t) b * WF_QK, m3))
WF_TQ_GEMV_ROW(tq1_gemv_row, WF_TQ1_BYTES, 52, tq1_block_gemv(x, act + (int64_t) b * WF_TQ1_ACT_BYTES))

/*
 * sum(code * q) of one I2_S row. VNNI: each 2-bit plane is masked in place (no shift) into its own accumulator,
 * which then holds 4^(3-l) times the plane's sum; a lane gains at most 4 * 128 * 128 per instruction and one
 * instruction per 4 * VB weights, so the int32 lanes are exact up to WF_I2S_MASKED_MAX_K, and the exact shifts
 * at the end divide the scale out again. Otherwise (maddubs, or a longer K): planes shifted down, int16 sums
 * widened every I2S_WIDEN_CHUNKS chunks.
 */
#define WF_I2S_MASKED_MAX_K (1 << 22)
/* Chunk ch of an I2_S row for the GEMV: VB bytes, or at 512 bits the 32-byte tail block by a masked load. */
WF_INLINE vi i2s_gemv_load(const uint8_t *row, int ch, int chunks) {
    const uint8_t *p = row + (int64_t) ch * GV_BYTES;
    PREFETCH_L1(p + WF_PF_I2S_NEAR_BYTES);
    PREFETCH_L2(p + WF_PF_I2S_FAR_BYTES);
#if WF_W == 512
    vi w = ch < chunks ? GV_LOAD(p) : _mm512_maskz_loadu_epi8(0xFFFFFFFFull, p);
#else
    (void) chunks;
    vi w = GV_LOAD(p);
#endif
    KEEP(w);
    return w;
}

#if WF_VNNI
WF_INLINE vi i2s_gemv_masked(const int8_t *act, const uint8_t *row, int chunks, int tail) {
    vi acc[4] = {ZERO(), ZERO(), ZERO(), ZERO()};
    for (int ch = 0; ch < chunks + tail; ch++) {
        const vi w = i2s_gemv_load(row, ch, chunks);
        for (int l = 0; l < 4; l++) {
            DOT(acc[l], AND(w, SET8(0xC0 >> (2 * l))), GV_LOAD(act + (int64_t) ch * 4 * GV_BYTES + l * GV_BYTES));
        }
    }
#if WF_W == 512
    return ADD32(ADD32(_mm512_srai_epi32(acc[0], 6), _mm512_srai_epi32(acc[1], 4)),
                 ADD32(_mm512_srai_epi32(acc[2], 2), acc[3]));
#else
    return ADD32(ADD32(_mm256_srai_epi32(acc[0], 6), _mm256_srai_epi32(acc[1], 4)),
                 ADD32(_mm256_srai_epi32(acc[2], 2), acc[3]));
#endif
}
#endif

WF_INLINE vi i2s_gemv_planes(const int8_t *act, const uint8_t *row, int chunks, int tail) {
    const vi m3 = SET8(3);
    vi sum = ZERO();
    for (int c0 = 0; c0 < chunks + tail; c0 += I2S_WIDEN_CHUNKS) {
        const int c1 = c0 + I2S_WIDEN_CHUNKS < chunks + tail ? c0 + I2S_WIDEN_CHUNKS : chunks + tail;
        vi acc = ZERO();
        for (int ch = c0; ch < c1; ch++) {
            vi c[4];
            PLANES(c, i2s_gemv_load(row, ch, chunks), m3, 1);
            for (int l = 0; l < 4; l++) {
                DOT(acc, c[l], GV_LOAD(act + (int64_t) ch * 4 * GV_BYTES + l * GV_BYTES));
            }
        }
        sum = ADD32(sum, ACC_I32(acc));
    }
    return sum;
}

WF_INLINE int32_t i2s_gemv_dot(const wf_mm *a, const int8_t *act, const uint8_t *row) {
    const int chunks = a->k / (4 * GV_BYTES);
    const int tail = a->k % (4 * GV_BYTES) != 0;  /* 512-bit only: a last 128-weight block */
    vi sum;
#if WF_VNNI
    if (a->k <= WF_I2S_MASKED_MAX_K) {
        sum = i2s_gemv_masked(act, row, chunks, tail);
    } else {
        sum = i2s_gemv_planes(act, row, chunks, tail);
    }
#else
    sum = i2s_gemv_planes(act, row, chunks, tail);
#endif
    return _mm_cvtsi128_si32(reduce4_full(sum, ZERO(), ZERO(), ZERO()));
}

/*
 * The activations as the GEMV reads them: TQ1_0's digit planes (wf_repack_tq1 at GV_TQ1_OFF); for TQ2_0 / I2_S
 * the plain quants at 256 bits, wf_repack_halves at 512. NULL when the scratch cannot grow.
 */
static const int8_t *gemv_act(const wf_mm *a, int format) {
    if (format == WF_TQ1_0) {
        int8_t *buf = wf_scratch((size_t) wf_act_stride(WF_TQ1_0, a->k));
        if (buf != NULL) {
            wf_repack_tq1(a->q, 1, a->k, GV_TQ1_OFF, buf);
        }
        return buf;
    }
#if WF_W == 512
    int8_t *buf = wf_scratch((size_t) (a->k + WF_QK));
    if (buf != NULL) {
        wf_repack_halves(a->q, a->k, buf);
    }
    return buf;
#else
    return a->q;
#endif
}

static int gemv(const wf_mm *a, int format) {
    const int8_t *act = gemv_act(a, format);
    if (act == NULL) {
        return WF_ERR_NOMEM;
    }
    for (int r = a->row_start; r < a->row_end; r++) {
        const uint8_t *row = a->w + (int64_t) r * a->row_bytes;
        float y;
        if (format == WF_TQ2_0) {
            y = tq2_gemv_row(a, act, row);
        } else if (format == WF_TQ1_0) {
            y = tq1_gemv_row(a, act, row);
        } else {
            y = (float) i2s_gemv_dot(a, act, row) - (float) a->sum[0];
            y = y / a->scale[0];
            y = y * a->tensor_scale;
        }
        a->y[r] = y;
    }
    return WF_OK;
}

/*
 * Row and token loops: tokens in tiles of 4 (then 3, 2 or 1 for the rest), rows in tiles of RP_T1 (one token)
 * or RP_TN (several) row vectors, then single row vectors (the last one possibly half used).
 */
#define WF_ROWS(tile, RPV, TT)                                                      \
    do {                                                                            \
        const int rows_ = (RPV) * RV;                                               \
        int r = a->row_start;                                                       \
        for (; r + rows_ <= a->row_end; r += rows_) {                               \
            tile(a, &cx, r, rows_, t0, RPV, TT);                                    \
        }                                                                           \
        for (; r < a->row_end; r += RV) {                                           \
            tile(a, &cx, r, a->row_end - r < RV ? a->row_end - r : RV, t0, 1, TT);  \
        }                                                                           \
    } while (0)

#define WF_DRIVE(tile)                                                      \
    do {                                                                    \
        int t0 = 0;                                                         \
        for (; t0 + 4 <= a->n; t0 += 4) {                                   \
            WF_ROWS(tile, RP_TN, 4);                                        \
        }                                                                   \
        switch (a->n - t0) {                                                \
            case 3: WF_ROWS(tile, RP_TN, 3); break;                         \
            case 2: WF_ROWS(tile, RP_TN, 2); break;                         \
            case 1: WF_ROWS(tile, RP_T1, 1); break;                         \
            default: break;                                                 \
        }                                                                   \
    } while (0)

/*
 * The per-call scratch: the TQ block metadata block-major (so a tile of 4 tokens reads one vector of each),
 * then, for TQ1_0, the repacked activations. NULL when memory is exhausted.
 */
static int tq_context(const wf_mm *a, int tq1, wf_ctx *cx) {
    const int nb = a->k / WF_QK;
    const size_t meta = ((size_t) nb * (size_t) a->n * 4 + 63) & ~(size_t) 63;
    const int64_t stride = wf_act_stride(WF_TQ1_0, a->k);
    int8_t *buf = wf_scratch(2 * meta + (tq1 ? (size_t) a->n * (size_t) stride : 0));
    if (buf == NULL) {
        return 0;
    }
    int32_t *qsum = (int32_t *) (void *) buf;
    float *dact = (float *) (void *) (buf + meta);
    for (int t = 0; t < a->n; t++) {
        for (int b = 0; b < nb; b++) {
            qsum[(int64_t) b * a->n + t] = a->sum[(int64_t) t * nb + b];
            dact[(int64_t) b * a->n + t] = a->scale[(int64_t) t * nb + b];
        }
    }
    cx->qsum = qsum;
    cx->dact = dact;
    if (tq1) {
        wf_repack_tq1(a->q, a->n, a->k, WF_TQ1_PART_OFF, buf + 2 * meta);
        cx->act = buf + 2 * meta;
        cx->stride = stride;
    } else {
        cx->act = a->q;
        cx->stride = a->k;
    }
    return 1;
}

int WF_NAME(tq2)(const wf_mm *a) {
    if (a->n == 1) {
        return gemv(a, WF_TQ2_0);
    }
    wf_ctx cx;
    if (!tq_context(a, 0, &cx)) {
        return WF_ERR_NOMEM;
    }
    WF_DRIVE(tq2_tile);
    return WF_OK;
}

int WF_NAME(tq1)(const wf_mm *a) {
    if (a->n == 1) {
        return gemv(a, WF_TQ1_0);
    }
    wf_ctx cx;
    if (!tq_context(a, 1, &cx)) {
        return WF_ERR_NOMEM;
    }
    WF_DRIVE(tq1_tile);
    return WF_OK;
}

int WF_NAME(i2s)(const wf_mm *a) {
    if (a->n == 1) {
        return gemv(a, WF_I2_S);
    }
    const wf_ctx cx = {.act = a->q, .stride = a->k, .qsum = NULL, .dact = NULL};
    WF_DRIVE(i2s_tile);
    return WF_OK;
}
