#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
for round in 1 2 3; do
  $J -jar /tmp/bench-hybrid.jar 'TernaryMatmulBenchmark.matmul$' -p backend=native -p format=TQ2_0,I2_S -p shape=2560x2560 -p batch=1 -p threads=2 -p residency=cold -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff "$(dirname "$0")"/k-r$round.json > "$(dirname "$0")"/k-r$round.log 2>&1
  $J -jar /tmp/bench-hybrid.jar 'NativeMemoryReadBenchmark' -p threads=2 -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff "$(dirname "$0")"/m-r$round.json > "$(dirname "$0")"/m-r$round.log 2>&1
done
echo done > "$(dirname "$0")"/DONE
