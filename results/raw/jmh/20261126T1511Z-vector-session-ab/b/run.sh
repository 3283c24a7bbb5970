#!/bin/bash
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
here="$(dirname "$0")"
for round in 1 2 3; do
  for side in session-start now; do
    $J -jar /tmp/bench-$side.jar 'TernaryMatmulBenchmark.matmul$' -p backend=vector -p format=TQ2_0,TQ1_0,I2_S -p shape=2560x2560 -p batch=1 -p threads=1 -p residency=hot -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff "$here"/matmul-$side-r$round.json > "$here"/matmul-$side-r$round.log 2>&1
  done
done
echo done > "$here"/DONE
