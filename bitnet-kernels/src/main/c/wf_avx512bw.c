/* The avx512bw kernels: wf_x86_body.h at 512 bits, vpmaddubsw. Compiled with its own -m flags (build.sh). */
#if defined(__x86_64__)
#define WF_W 512
#define WF_VNNI 0
#define WF_ISA avx512bw
#include "wf_x86_body.h"
#endif
