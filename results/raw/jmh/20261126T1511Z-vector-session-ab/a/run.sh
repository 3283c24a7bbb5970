#!/bin/bash
# vector batch 1 (and 32) at the session's start (commit 4fb41eb) and now, interleaved, to tell a regression from the machine.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
here="$(dirname "$0")"
for round in 1 2; do
  for side in session-start now; do
    $J -jar /tmp/bench-$side.jar 'TernaryMatmulBenchmark.matmul$' -p backend=vector -p format=TQ2_0,TQ1_0 -p shape=2560x2560 -p batch=1,32 -p threads=1,2 -p residency=hot,cold -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff "$here"/matmul-$side-r$round.json > "$here"/matmul-$side-r$round.log 2>&1
  done
done
echo done > "$here"/DONE
