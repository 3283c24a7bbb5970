#!/bin/bash
# Builds the native library in variants of the vpermw kernel's prefetch distances (WF_LUT_PF_BYTES into L1,
# WF_LUT_PF_FAR_BYTES into L2, bitnet-kernels/src/main/c/wf_lut_avx512.c) and runs ColdRooflineBenchmark on each,
# loaded with -Dwrinklefree.native.path. Run from the repository root after building jmh-benches/target/benchmarks.jar.
# The runs kept here: round r1/r2 with base, near1k, far24k, near6k_far24k; round s1/s2 with base, n2k_f12k,
# n3k_f8k, n4k_f16k, far_half (one T1 prefetch per 128 bytes instead of per 64).
set -e
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D="$(cd "$(dirname "$0")" && pwd)"
W=$(mktemp -d)
variant() {  # name, near, far
  cp -r bitnet-kernels/src/main/c "$W/$1"
  sed -i "s/#define WF_LUT_PF_BYTES 3072/#define WF_LUT_PF_BYTES $2/; s/#define WF_LUT_PF_FAR_BYTES 12288/#define WF_LUT_PF_FAR_BYTES $3/" "$W/$1/wf_lut_avx512.c"
}
variant base 3072 12288; variant near1k 1024 12288; variant far24k 3072 24576; variant near6k_far24k 6144 24576
variant n2k_f12k 2048 12288; variant n3k_f8k 3072 8192; variant n4k_f16k 4096 16384; variant far_half 3072 12288
python3 - "$W/far_half/wf_lut_avx512.c" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
a = "        _mm_prefetch((const char *) (far + g * 64), _MM_HINT_T1);\n    }"
s = s.replace(a, "    }\n    _mm_prefetch((const char *) far, _MM_HINT_T1);")
open(p, "w").write(s)
PY
for v in "$W"/*; do bash "$v/build.sh" "$v/out" "$v/obj" > /dev/null; done
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
run() {  # round, variants...
  local round=$1; shift
  for v in "$@"; do
    $J -jar jmh-benches/target/benchmarks.jar 'ColdRooflineBenchmark' -p backend=native -p format=TQ2_0 -p threads=1,2 \
      -f 1 -wi 1 -w 2 -i 4 -r 2 -jvmArgsAppend "$BASE -Dwrinklefree.native.path=$W/$v/out/linux-x86_64/libwrinklefree.so" \
      -rf json -rff "$D/$v-$round.json" > "$D/$v-$round.log" 2>&1
  done
}
for r in r1 r2; do run $r base near1k far24k near6k_far24k; done
for r in s1 s2; do run $r base n2k_f12k n3k_f8k n4k_f16k far_half; done
