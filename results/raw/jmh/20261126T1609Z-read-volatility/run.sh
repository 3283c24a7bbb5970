#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D="$(dirname "$0")"
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
for round in 1 2; do
  $J -jar jmh-benches/target/benchmarks.jar 'TernaryMatmulBenchmark.matmul$' -p backend=native -p format=TQ2_0 -p shape=2560x2560,6912x2560,2560x6912 -p batch=1 -p threads=1,2 -p residency=cold -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff $D/k-r$round.json > $D/k-r$round.log 2>&1
  $J -jar jmh-benches/target/benchmarks.jar 'NativeMemoryReadBenchmark' -p threads=1,2 -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff $D/m-r$round.json > $D/m-r$round.log 2>&1
done
echo done > $D/DONE
