/*
 * The lookup-table (LUT) layout of the native kernels: the idea of bitnet.cpp's TL kernels with 512-bit
 * vpermw. Weights are repacked once (wf_lut_pack_avx512) into 5-bit indices of groups of 3 weights (27 sign
 * patterns); per token and group of 3 activations a table holds the 27 possible dot products (wf_lut_tables);
 * one vpermw then looks up 32 rows at once.
 *
 * Layout (little-endian 16-bit words; one lane per row):
 *   rows in panels of WF_LUT_ROWS = WF_LUT_P * 32 (rows past M are padding: zero weights, zero scales);
 *   K in segments of 256 weights (a TQ block; I2_S rows end with a half-empty segment when K % 256 == 128);
 *   a segment of a panel is WF_LUT_WORDS words per 32-row group, word-major ([word][group], 64 bytes each, so
 *   the kernel reads it front to back), then, for TQ formats, the f16 block scales of the panel's rows
 *   ([group] 32 halves);
 *   segments come in chunks of WF_LUT_CHUNK, chunk-major ([chunk][panel][segment of the chunk], see
 *   wf_lut_seg_offset): one pass over a chunk for a row range reads memory in order while the tables of the
 *   chunk stay in L1;
 *   group g < 86 of a segment holds its weights g, g + 86 and g + 172 (weights 256, 257 and group 86 are empty:
 *   weight 0), as index 9*c0 + 3*c1 + c2 with c = weight + 1; word w holds groups w, w + 29 and w + 58 at bits
 *   0, 5 and 10 (bit 15 is zero). Strided groups keep the repacking a matter of contiguous vector operations.
 *
 * Tables: per token, per segment, WF_LUT_GROUPS tables of 32 int16 in word order (slot 3w + f is group
 * w + 29f), entries 27..31 zero; entry i of group g = sum over j of (digit j of i - 1) * q[g + 86j], digits
 * most significant first (q past the segment or K, or of the empty group, is 0). |entry| <= 3 * 128.

 * Integers. An int16 lane gains at most 3 * 384 = 1152 per word; a segment's 29 words are summed in two runs
 * (words 0..14 and 15..28: at most 17280 each) widened to int32 before they meet, because a whole segment
 * can reach 256 * 128 = 32768, one past int16. Segment sums are exact, so the float epilogue is the oracle's:
 * TQ: f += (float) sumi * (d_act * d_w) block by block; I2_S: the exact row integer, then the oracle's
 * ((float) sum(code*q) - (float) sum(q)) / s * tensor_scale.
 *
 * Only codes 0..2 (weights -1, 0, 1) have an index: a TQ2_0 or I2_S matrix holding code 3 (which the oracle
 * reads as +2) cannot be repacked, and wf_lut_pack says so (the caller keeps the in-place kernels).
 */
#ifndef WF_LUT_H
#define WF_LUT_H

#include "wf_internal.h"

#define WF_LUT_LANES 32                 /* rows per 512-bit word: one 16-bit lane each */
#ifndef WF_LUT_P
#define WF_LUT_P 2                      /* 32-row groups per panel */
#endif
#define WF_LUT_ROWS (WF_LUT_P * WF_LUT_LANES)
#define WF_LUT_SEG 256                  /* weights per segment */
#define WF_LUT_GROUPS 87                /* table slots per segment: 3 * WF_LUT_WORDS (86 hold weights) */
#define WF_LUT_WORDS 29
#define WF_LUT_STRIDE 86                /* group g holds weights g, g + 86, g + 172 of its segment */
#define WF_LUT_SPAN (3 * WF_LUT_STRIDE)
#define WF_LUT_RUN 15                   /* words of the first int16 run */
#define WF_LUT_TABLE 32                 /* int16 entries per table (27 used) */
#ifndef WF_LUT_CHUNK
#define WF_LUT_CHUNK 2                  /* segments per chunk: their tables (11 KB a token) stay in L1 */
#endif

/* Error code of wf_lut_pack: a code 3 has no index (see above). */
#define WF_LUT_UNREPRESENTABLE 1

/* Bytes of one segment of one panel. */
static inline int64_t wf_lut_seg_bytes(int format) {
    return (int64_t) (WF_LUT_WORDS + (format != WF_I2_S)) * WF_LUT_P * 64;
}

static inline int32_t wf_lut_segs(int32_t k) {
    return (k + WF_LUT_SEG - 1) / WF_LUT_SEG;
}

static inline int32_t wf_lut_panels(int32_t m) {
    return (m + WF_LUT_ROWS - 1) / WF_LUT_ROWS;
}

/* Bytes of the whole layout of an M x K matrix. */
static inline int64_t wf_lut_bytes(int format, int32_t m, int32_t k) {
    return (int64_t) wf_lut_panels(m) * wf_lut_segs(k) * wf_lut_seg_bytes(format);
}

/*
 * Byte offset of segment s of panel p. Segments come in chunks of WF_LUT_CHUNK (the last one possibly shorter),
 * chunk-major: [chunk][panel][segment of the chunk], so that a pass over one chunk for a row range streams
 * memory in order while the tables of the chunk's segments stay in L1.
 */
static inline int64_t wf_lut_seg_offset(int format, int32_t m, int32_t k, int32_t p, int32_t s) {
    const int64_t sb = wf_lut_seg_bytes(format);
    const int32_t s0 = s / WF_LUT_CHUNK * WF_LUT_CHUNK;
    const int32_t len = wf_lut_segs(k) - s0 < WF_LUT_CHUNK ? wf_lut_segs(k) - s0 : WF_LUT_CHUNK;
    return ((int64_t) wf_lut_panels(m) * s0 + (int64_t) p * len + (s - s0)) * sb;
}

/* int16 entries of one token's tables. */
static inline int64_t wf_lut_token_entries(int32_t k) {
    return (int64_t) wf_lut_segs(k) * WF_LUT_GROUPS * WF_LUT_TABLE;
}

int wf_lut_pack_avx512(int format, const uint8_t *w, int64_t row_bytes, int32_t m, int32_t k, int32_t panel_start,
                       int32_t panel_end, uint8_t *dst);
int wf_lut_tables_avx512(const int8_t *q, int32_t n, int32_t k, int16_t *dst);
int wf_lut_matmul_avx512(int format, const uint8_t *lut, int32_t m, int32_t k, float tensor_scale,
                         const int16_t *tables, const float *scale, const int32_t *sum, int32_t n, float *y,
                         int32_t row_start, int32_t row_end);

#endif
