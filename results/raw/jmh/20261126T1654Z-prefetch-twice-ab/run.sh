#!/bin/bash
# A/B of the doubled L2 prefetch (first version: for every pass, 1-4 tokens) against commit 0ab04ed: both libraries
# loaded with -Dwrinklefree.native.path into one benchmarks jar; three rounds, new then old in each. Run from the
# repository root after building jmh-benches/target/benchmarks.jar; NEW is a library built from the working tree of
# that version (WF_LUT_PF_FAR_BYTES 8192, WF_LUT_PF_FAR2_BYTES 16384, far2 prefetched for every T).
set -e
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D="$(cd "$(dirname "$0")" && pwd)"
NEW=${NEW:?path of the new library}
W=$(mktemp -d)
git archive 0ab04ed bitnet-kernels/src/main/c | tar -x -C "$W"
bash "$W/bitnet-kernels/src/main/c/build.sh" "$W/out" "$W/obj" > /dev/null
OLD="$W/out/linux-x86_64/libwrinklefree.so"
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
for round in 1 2 3; do
  for v in new old; do
    lib=$NEW; [ $v = old ] && lib=$OLD
    $J -jar jmh-benches/target/benchmarks.jar 'ColdRooflineBenchmark' -p backend=native -p format=TQ2_0,TQ1_0,I2_S -p threads=2 \
      -f 1 -wi 1 -w 2 -i 4 -r 2 -jvmArgsAppend "$BASE -Dwrinklefree.native.path=$lib" -rf json -rff "$D/cold-$v-r$round.json" > /dev/null 2>&1
    $J -jar jmh-benches/target/benchmarks.jar 'TernaryMatmulBenchmark.matmul$' -p backend=native -p format=TQ2_0,TQ1_0,I2_S \
      -p shape=2560x2560 -p batch=1,8 -p threads=1 -p residency=hot -f 1 -wi 2 -w 1 -i 5 -r 1 \
      -jvmArgsAppend "$BASE -Dwrinklefree.native.path=$lib" -rf json -rff "$D/hot-$v-r$round.json" > /dev/null 2>&1
  done
done
