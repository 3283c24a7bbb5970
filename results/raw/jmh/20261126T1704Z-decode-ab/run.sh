#!/bin/bash
# NEW: the library of the committed doubled-prefetch change (second L2 prefetch in one-token passes); OLD: the
# library built from commit 0ab04ed. Run from the repository root after building jmh-benches/target/benchmarks.jar.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D="$(cd "$(dirname "$0")" && pwd)"
NEW=${NEW:?path of the new library}; OLD=${OLD:?path of the old library}
ARGS="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx2g"
for round in 1 2 3; do
  for v in new old; do
    lib=$NEW; [ $v = old ] && lib=$OLD
    $J -jar jmh-benches/target/benchmarks.jar 'DecodeBenchmark.tokens$' -p model=bitnet-2b-4t -p format=I2_S -p head=q8_0 \
      -p backend=native -p threads=2 -p phase=decode -p context=512 -f 1 -wi 1 -w 1 -i 3 -r 1 \
      -jvmArgsAppend "$ARGS -Dwrinklefree.native.path=$lib" -rf json -rff "$D/decode-$v-r$round.json" > /dev/null 2>&1
  done
done
