/* The avxvnni kernels: wf_x86_body.h at 256 bits, vpdpbusd. Compiled with its own -m flags (build.sh). */
#if defined(__x86_64__)
#define WF_W 256
#define WF_VNNI 1
#define WF_ISA avxvnni
#include "wf_x86_body.h"
#endif
