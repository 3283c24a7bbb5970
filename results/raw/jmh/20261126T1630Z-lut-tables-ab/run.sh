#!/bin/bash
# A/B of commit 0ab04ed (wf_lut_tables) against its parent b4428b8: the native library built from each commit's
# C sources, loaded with -Dwrinklefree.native.path into one benchmarks jar; three rounds, new then old in each.
# Run from the repository root after building jmh-benches/target/benchmarks.jar.
set -e
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D="$(cd "$(dirname "$0")" && pwd)"
W=$(mktemp -d)
for v in new:0ab04ed old:b4428b8; do
  name=${v%%:*}; commit=${v#*:}
  mkdir -p "$W/$name" && git archive "$commit" bitnet-kernels/src/main/c | tar -x -C "$W/$name"
  bash "$W/$name/bitnet-kernels/src/main/c/build.sh" "$W/$name/out" "$W/$name/obj" > /dev/null
  cp "$W/$name/out/linux-x86_64/libwrinklefree.so" "$W/$name.so"
done
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
for round in 1 2 3; do
  for v in new old; do
    $J -jar jmh-benches/target/benchmarks.jar 'ColdRooflineBenchmark' -p backend=native -p format=TQ2_0,I2_S -p threads=2 \
      -f 1 -wi 1 -w 2 -i 4 -r 2 -jvmArgsAppend "$BASE -Dwrinklefree.native.path=$W/$v.so" -rf json -rff "$D/cold-$v-r$round.json" > /dev/null 2>&1
    $J -jar jmh-benches/target/benchmarks.jar 'TernaryMatmulBenchmark.matmul$' -p backend=native -p format=TQ2_0,I2_S -p shape=2560x2560 \
      -p batch=1 -p threads=1 -p residency=hot -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE -Dwrinklefree.native.path=$W/$v.so" \
      -rf json -rff "$D/hot-$v-r$round.json" > /dev/null 2>&1
  done
done
# The table build alone (tables.c, linked against either library): ns per token at K = 2560.
