#!/bin/bash
cd /work/main
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
for round in 1 2; do
  for mode in vpermw tlut; do
    extra=""; [ $mode = vpermw ] && extra="-Dwrinklefree.native.tlutMinTokens=100000"
    $J -jar jmh-benches/target/benchmarks.jar 'TernaryMatmulBenchmark.matmul$' -p backend=native -p format=TQ2_0,TQ1_0,I2_S -p shape=2560x2560 -p batch=32,128 -p threads=1,2 -p residency=hot -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE $extra" -rf json -rff /tmp/ab/matmul-$mode-r$round.json > /tmp/ab/matmul-$mode-r$round.log 2>&1
  done
done
DBASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx2g"
for mode in vpermw tlut; do
  extra=""; [ $mode = vpermw ] && extra="-Dwrinklefree.native.tlutMinTokens=100000"
  $J -jar jmh-benches/target/benchmarks.jar DecodeBenchmark -p backend=native -p format=I2_S,TQ2_0 -p threads=1,2 -p phase=prefill -wi 1 -w 5 -i 3 -r 10 -jvmArgsAppend "$DBASE $extra" -rf json -rff /tmp/ab/prefill-$mode.json > /tmp/ab/prefill-$mode.log 2>&1
done
echo done > /tmp/ab/DONE
