/*
 * Portable C kernels: the reference implementations' generic code (ggml ggml_vec_dot_tq{1,2}_0_q8_K_generic,
 * bitnet.cpp ggml_vec_dot_i2_i8_s) with the Java oracle's float epilogue in the same order, so results
 * are bit-identical to dev.wrinklefree.kernels.scalar.ScalarKernel (compiled with -ffp-contract=off:
 * a fused multiply-add would round differently).
 */
#include "wf_internal.h"

#include <string.h>

float wf_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t) (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t man = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);          /* inf, nan */
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);  /* normal: rebias 15 -> 127 */
    } else if (man == 0) {
        bits = sign;                                       /* zero */
    } else {
        /* subnormal half: normalize (exact in float) */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while ((man & 0x400u) == 0);
        bits = sign | ((uint32_t) (112 - e) << 23) | ((man & 0x3FFu) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint16_t load_u16(const uint8_t *p) {
    return (uint16_t) (p[0] | (p[1] << 8));  /* little-endian, any alignment */
}

static float dot_tq2(const wf_mm *a, int r, int t) {
    const int nb = a->k / WF_QK;
    const uint8_t *row = a->w + (int64_t) r * a->row_bytes;
    const int8_t *q = a->q + (int64_t) t * a->k;
    float sumf = 0;
    for (int b = 0; b < nb; b++) {
        const uint8_t *x = row + (int64_t) b * WF_TQ2_BYTES;
        const int8_t *y = q + b * WF_QK;
        int sumi = 0;
        for (int j = 0; j < 64; j += 32) {
            for (int l = 0; l < 4; l++) {
                for (int m = 0; m < 32; m++) {
                    int code = (x[j + m] >> (l * 2)) & 3;
                    sumi += y[j * 4 + l * 32 + m] * (code - 1);
                }
            }
        }
        float scale = a->scale[(int64_t) t * nb + b] * wf_half_to_float(load_u16(x + 64));
        sumf += (float) sumi * scale;
    }
    return sumf;
}

static int tq1_digit(int packed, int pow3) {
    return (((packed * pow3) & 0xFF) * 3) >> 8;
}

static float dot_tq1(const wf_mm *a, int r, int t) {
    static const int pow3[5] = {1, 3, 9, 27, 81};
    const int nb = a->k / WF_QK;
    const uint8_t *row = a->w + (int64_t) r * a->row_bytes;
    const int8_t *q = a->q + (int64_t) t * a->k;
    float sumf = 0;
    for (int b = 0; b < nb; b++) {
        const uint8_t *x = row + (int64_t) b * WF_TQ1_BYTES;
        const int8_t *y = q + b * WF_QK;
        int sumi = 0;
        for (int n = 0; n < 5; n++) {
            for (int m = 0; m < 32; m++) {
                sumi += y[n * 32 + m] * (tq1_digit(x[m], pow3[n]) - 1);
            }
        }
        for (int n = 0; n < 5; n++) {
            for (int m = 0; m < 16; m++) {
                sumi += y[160 + n * 16 + m] * (tq1_digit(x[32 + m], pow3[n]) - 1);
            }
        }
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 4; j++) {
                sumi += y[240 + n * 4 + j] * (tq1_digit(x[48 + j], pow3[n]) - 1);
            }
        }
        float scale = a->scale[(int64_t) t * nb + b] * wf_half_to_float(load_u16(x + 52));
        sumf += (float) sumi * scale;
    }
    return sumf;
}

static float dot_i2s(const wf_mm *a, int r, int t) {
    const uint8_t *row = a->w + (int64_t) r * a->row_bytes;
    const int8_t *q = a->q + (int64_t) t * a->k;
    int dot = 0;
    for (int b = 0; b < a->k / WF_I2S_QK; b++) {
        const uint8_t *x = row + b * WF_I2S_BYTES;
        const int8_t *y = q + b * WF_I2S_QK;
        for (int j = 0; j < 32; j++) {
            dot += ((x[j] >> 6) & 3) * y[j];
            dot += ((x[j] >> 4) & 3) * y[j + 32];
            dot += ((x[j] >> 2) & 3) * y[j + 64];
            dot += (x[j] & 3) * y[j + 96];
        }
    }
    float v = (float) dot - (float) a->sum[t];
    v = v / a->scale[t];
    return v * a->tensor_scale;
}

#define WF_SCALAR_KERNEL(name, dot)                                   \
    int name(const wf_mm *a) {                                        \
        for (int t = 0; t < a->n; t++) {                              \
            for (int r = a->row_start; r < a->row_end; r++) {         \
                a->y[(int64_t) t * a->m + r] = dot(a, r, t);          \
            }                                                             \
        }                                                             \
        return WF_OK;                                                 \
    }

WF_SCALAR_KERNEL(wf_tq1_scalar, dot_tq1)
WF_SCALAR_KERNEL(wf_tq2_scalar, dot_tq2)
WF_SCALAR_KERNEL(wf_i2s_scalar, dot_i2s)
