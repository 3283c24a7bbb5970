/* The avx2 kernels: wf_x86_body.h at 256 bits, vpmaddubsw; the dense GEMV of wf_dense_body.h at 256 bits. Compiled with its own -m flags (build.sh). */
#if defined(__x86_64__)
#define WF_W 256
#define WF_VNNI 0
#define WF_ISA avx2
#include "wf_x86_body.h"
#include "wf_dense_body.h"
#endif
