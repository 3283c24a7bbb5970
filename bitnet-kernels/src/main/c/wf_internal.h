/*
 * wrinklefree native ternary kernels: declarations shared by the dispatcher (wf_api.c) and the kernel
 * files (one per ISA, each compiled with its own -m flags; never -march=native).
 */
#ifndef WF_INTERNAL_H
#define WF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Weight formats: the ordinals of dev.wrinklefree.kernels.TernaryFormat. */
enum { WF_TQ1_0 = 0, WF_TQ2_0 = 1, WF_I2_S = 2, WF_FORMAT_COUNT = 3 };

/* ISA paths: the ids of dev.wrinklefree.kernels.ffm.Isa. */
enum {
    WF_ISA_SCALAR = 0,
    WF_ISA_AVX2 = 1,
    WF_ISA_AVXVNNI = 2,
    WF_ISA_AVX512BW = 3,
    WF_ISA_AVX512VNNI = 4,
    WF_ISA_AVX512VNNI256 = 5,
    WF_ISA_COUNT = 6
};

/* Error codes returned by wf_matmul (0 is success). */
enum { WF_OK = 0, WF_ERR_ISA = -1, WF_ERR_NOMEM = -2, WF_ERR_ARG = -3 };

/* Block geometry (the Java TernaryFormat enum holds the same numbers). */
#define WF_QK 256          /* TQ block and Q8_K block: weights */
#define WF_TQ2_BYTES 66    /* qs[64] d:f16 */
#define WF_TQ1_BYTES 54    /* qs[48] qh[4] d:f16 */
#define WF_I2S_QK 128      /* I2_S block: weights */
#define WF_I2S_BYTES 32
/* TQ1_0 activations are repacked into 5 digit planes of 64 bytes per 256-block (see wf_repack_tq1), for
   two 32-byte chunks of the block read at offsets 0 and WF_TQ1_PART_OFF (the second ends at byte 53). */
#define WF_TQ1_ACT_BYTES 320
#define WF_TQ1_PART_OFF 22

/*
 * One matmul call: output rows [row_start, row_end) for n tokens. Shapes were checked by the Java side
 * (TernaryKernel.checkArguments) before the call.
 */
typedef struct wf_mm {
    const uint8_t *w;      /* first byte of row 0 of the packed matrix */
    int64_t row_bytes;     /* packed bytes per row */
    int32_t k;             /* K, a multiple of 256 (TQ) or 128 (I2_S) */
    int32_t m;             /* M: rows of the whole matrix, the stride of y between tokens */
    float tensor_scale;    /* I2_S only */
    const int8_t *q;       /* n*k int8 activations, token after token */
    const float *scale;    /* Q8_K: d per 256-block (n*k/256); I8_S: s per token */
    const int32_t *sum;    /* Q8_K: sum of each 256-block's quants; I8_S: sum of each token's quants */
    int32_t n;             /* tokens */
    float *y;              /* y[t*m + r], already offset by the caller's yOffset */
    int32_t row_start, row_end;
} wf_mm;

typedef int (*wf_kernel_fn)(const wf_mm *a);

/*
 * A per-thread scratch buffer of at least `bytes` bytes, 64-byte aligned, kept for the thread's life
 * (grown, never shrunk; freed when the thread exits). NULL when memory is exhausted.
 */
int8_t *wf_scratch(size_t bytes);

/*
 * TQ1_0's activations in the order its digit planes meet them (built once per call, O(n*k), next to the
 * O(m*n*k) matmul): per 256-block, 5 planes of 64 bytes, plane d = [32 values for qs[0..31], digit d]
 * [32 values matching block bytes b_off .. b_off+31, digit d], zero where a lane holds no weight of that digit
 * (so a lane's code times zero adds nothing). Token t starts at t * wf_act_stride(WF_TQ1_0, k).
 */
int64_t wf_act_stride(int format, int32_t k);
void wf_repack_tq1(const int8_t *q, int32_t n, int32_t k, int b_off, int8_t *dst);

/*
 * One token's activations for 64-byte weight loads of TQ2_0 / I2_S (the 512-bit GEMV): per 256 values, the
 * four 32-byte groups of the first half interleaved with those of the second, [0..31 128..159][32..63 160..191]
 * [64..95 192..223][96..127 224..255], so plane l of a 64-byte load meets one 64-byte load of activations.
 * A trailing 128 (I2_S with K % 256 == 128) becomes [group | 32 zero bytes] per group. dst holds
 * ceil(k / 256) * 256 bytes.
 */
void wf_repack_halves(const int8_t *q, int32_t k, int8_t *dst);

/* IEEE half to float, exact for every input (the portable path has no F16C). */
float wf_half_to_float(uint16_t h);

/* Kernels per ISA; absent ones are NULL in the dispatcher's table. */
#define WF_DECLARE_KERNELS(isa)                   \
    int wf_tq1_##isa(const wf_mm *a);             \
    int wf_tq2_##isa(const wf_mm *a);             \
    int wf_i2s_##isa(const wf_mm *a);

/* Dense GEMV (wf_dense_body.h), AVX2 and AVX-512 VNNI builds. */
#define WF_DECLARE_DENSE(isa)                                                                                  \
    int wf_dense_f16_##isa(const uint8_t *w, int64_t row_bytes, int32_t cols, const float *x, float *y,        \
                           int32_t row_start, int32_t row_end);                                                 \
    int wf_dense_q8_0_##isa(const uint8_t *w, int64_t row_bytes, int32_t cols, const int16_t *x16, const float *xd, \
                            float *y, int32_t row_start, int32_t row_end);

WF_DECLARE_DENSE(avx2)
WF_DECLARE_DENSE(avx512vnni)

WF_DECLARE_KERNELS(scalar)
WF_DECLARE_KERNELS(avx2)
WF_DECLARE_KERNELS(avxvnni)
WF_DECLARE_KERNELS(avx512bw)
WF_DECLARE_KERNELS(avx512vnni)
WF_DECLARE_KERNELS(avx512vnni256)

#endif
