/*
 * The token-lane table kernel for batches (native:tlut; wf_tlut_avx512.c has the details): per group of 4
 * weights a table of the 81 dot products with the group's activations, one int16 lane per token.
 *
 * Layout (the Java side builds it, dev.wrinklefree.kernels.format.TokenTables with 64-byte entries): per
 * pass of WF_TLUT_PASS weights and row, the byte offsets (group * 81 + index) * 64 of the pass's
 * WF_TLUT_GROUPS_PER_PASS groups as uint16 in two little-endian uint64, [pass][row][2]; TQ block scales as
 * float [block][row].
 */
#ifndef WF_TLUT_H
#define WF_TLUT_H

#include "wf_internal.h"

#define WF_TLUT_PASS 32             /* weights per pass */
#define WF_TLUT_GROUPS_PER_PASS 8   /* tables per pass: 41 KB */

int wf_tlut_matmul_avx512(int format, const uint64_t *index, const float *wscale, int32_t m, int32_t k,
                          float tensor_scale, const int8_t *q, const float *scale, const int32_t *sum, int32_t n,
                          float *y, int32_t row_start, int32_t row_end);

#endif
