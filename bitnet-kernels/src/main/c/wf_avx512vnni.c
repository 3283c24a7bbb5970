/* The avx512vnni kernels: wf_x86_body.h at 512 bits, vpdpbusd; the dense GEMV of wf_dense_body.h at 512 bits. Compiled with its own -m flags (build.sh). */
#if defined(__x86_64__)
#define WF_W 512
#define WF_VNNI 1
#define WF_ISA avx512vnni
#include "wf_x86_body.h"
#include "wf_dense_body.h"
#endif
