#!/bin/bash
# vector batches with a rest: before (a last partly filled tlut tile) and after (the rest to lut), interleaved.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BASE="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xms2g -Xmx6g -XX:+UseParallelGC"
for round in 1 2; do
  for side in prehybrid hybrid; do
    $J -jar /tmp/bench-$side.jar 'TernaryMatmulBenchmark.matmul$' -p backend=vector -p format=TQ2_0,I2_S -p shape=2560x2560 -p batch=32,40,45,70 -p threads=1 -p residency=hot -f 1 -wi 2 -w 1 -i 5 -r 1 -jvmArgsAppend "$BASE" -rf json -rff "$(dirname "$0")"/matmul-$side-r$round.json > "$(dirname "$0")"/matmul-$side-r$round.log 2>&1
  done
done
echo done > "$(dirname "$0")"/DONE
