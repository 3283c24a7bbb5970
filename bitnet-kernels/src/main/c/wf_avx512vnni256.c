/*
 * The avx512vnni256 kernels: wf_x86_body.h at 256 bits with vpdpbusd in its EVEX (AVX512-VL) form. The code is
 * the AVX-VNNI path's, so any CPU with AVX-512 VNNI runs and tests it; it also suits CPUs whose clocks drop
 * on 512-bit work. Compiled with its own -m flags (build.sh).
 */
#if defined(__x86_64__)
#define WF_W 256
#define WF_VNNI 1
#define WF_EVEX 1
#define WF_ISA avx512vnni256
#include "wf_x86_body.h"
#endif
