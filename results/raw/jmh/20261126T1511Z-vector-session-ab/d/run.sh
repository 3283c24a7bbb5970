#!/bin/bash
# vector batch 1 hot 1 thread, 3 forks per JVM launch: the session's start (4fb41eb) against now (6dabaf6), alternating.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
here="$(dirname "$0")"
for round in 1 2; do
  for side in session-start now; do
    $J -jar /tmp/bench-$side.jar 'TernaryMatmulBenchmark.matmul$' -p backend=vector -p format=TQ2_0,TQ1_0 -p shape=2560x2560 -p batch=1 -p threads=1 -p residency=hot -f 3 -wi 2 -w 1 -i 3 -r 1 -jvmArgsAppend "$BASE" -rf json -rff "$here"/matmul-$side-r$round.json > "$here"/matmul-$side-r$round.log 2>&1
  done
done
