#!/bin/bash
# Variants of the vpermw kernel's prefetches (bitnet-kernels/src/main/c/wf_lut_avx512.c as of commit 0ab04ed: one L1
# prefetch 3 KiB ahead and one L2 prefetch 12 KiB ahead per 64-byte line), each built into its own library and run
# with ColdRooflineBenchmark (loaded with -Dwrinklefree.native.path). Run from the repository root after building
# jmh-benches/target/benchmarks.jar. Rounds u1/u2: base2 (unchanged), t0far (the far prefetch into L1, no near one),
# nta_far (far as NTA), t2far (far as T2), far2x (a second L2 prefetch 24 KiB ahead). Rounds w1/w2: far2x_b (far2x
# again), far3x (L2 prefetches 12, 24 and 36 KiB ahead), f2x_8_16 (8 and 16 KiB), f2x_16_32 (16 and 32 KiB),
# far2x_nonear (far2x without the L1 prefetch).
set -e
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D="$(cd "$(dirname "$0")" && pwd)"
W=$(mktemp -d)
for v in base2 t0far nta_far t2far far2x far2x_b far3x f2x_8_16 f2x_16_32 far2x_nonear; do
  mkdir -p "$W/$v" && git archive 0ab04ed bitnet-kernels/src/main/c | tar -x -C "$W/$v"
done
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
def edit(v, fn):
    p = f"{w}/{v}/bitnet-kernels/src/main/c/wf_lut_avx512.c"
    s = open(p).read(); t = fn(s); assert t != s, v; open(p, "w").write(t)
a = "        _mm_prefetch((const char *) (far + g * 64), _MM_HINT_T1);"
near = "        _mm_prefetch((const char *) (near + g * 64), _MM_HINT_T0);\n"
def nth(n):
    return f"\n        _mm_prefetch((const char *) (pf_at(wp + {n} * WF_LUT_PF_FAR_BYTES, run) + g * 64), _MM_HINT_T1);"
far = lambda d: (lambda s: s.replace("#define WF_LUT_PF_FAR_BYTES 12288", f"#define WF_LUT_PF_FAR_BYTES {d}"))
edit("t0far", lambda s: s.replace(a, a.replace("_MM_HINT_T1", "_MM_HINT_T0")).replace(near, ""))
edit("nta_far", lambda s: s.replace(a, a.replace("_MM_HINT_T1", "_MM_HINT_NTA")))
edit("t2far", lambda s: s.replace(a, a.replace("_MM_HINT_T1", "_MM_HINT_T2")))
for v in ("far2x", "far2x_b"):
    edit(v, lambda s: s.replace(a, a + nth(2)))
edit("far3x", lambda s: s.replace(a, a + nth(2) + nth(3)))
edit("f2x_8_16", lambda s: far(8192)(s.replace(a, a + nth(2))))
edit("f2x_16_32", lambda s: far(16384)(s.replace(a, a + nth(2))))
edit("far2x_nonear", lambda s: s.replace(a, a + nth(2)).replace(near, "").replace(
    "    const uint8_t *near = pf_at(wp + WF_LUT_PF_BYTES, run);\n", ""))
PY
for v in "$W"/*; do bash "$v/bitnet-kernels/src/main/c/build.sh" "$v/out" "$v/obj" > /dev/null; done
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
run() {  # round, variants...
  local round=$1; shift
  for v in "$@"; do
    $J -jar jmh-benches/target/benchmarks.jar 'ColdRooflineBenchmark' -p backend=native -p format=TQ2_0 -p threads=1,2 \
      -f 1 -wi 1 -w 2 -i 4 -r 2 -jvmArgsAppend "$BASE -Dwrinklefree.native.path=$W/$v/out/linux-x86_64/libwrinklefree.so" \
      -rf json -rff "$D/$v-$round.json" > "$D/$v-$round.log" 2>&1
  done
}
for r in u1 u2; do run $r base2 t0far nta_far t2far far2x; done
for r in w1 w2; do run $r far2x_b far3x f2x_8_16 f2x_16_32 far2x_nonear; done
