#!/usr/bin/env bash
# Builds ceiling.c against the library's wf_tlut_avx512.c (explicit ISA flags, as the Maven build does) and runs it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/../../../../bitnet-kernels/src/main/c"
out=$(mktemp -d)
gcc -O2 -mavx512f -mavx512bw -mavx512vl -I"$src" "$here/ceiling.c" "$src/wf_tlut_avx512.c" -o "$out/ceiling"
"$out/ceiling"
