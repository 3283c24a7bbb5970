#!/usr/bin/env bash
# Kernel- and decode-shaped fixtures (stand-ins with the harness's parameter names), thrpt, 1 fork.
set -euo pipefail
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
out=/tmp/jmhfix/out; mkdir -p $out
cp="/tmp/jmhfix/target/classes:$(cat /tmp/jmhfix/cp.txt)"
$J -cp "$cp" org.openjdk.jmh.Main 'fix.TernaryMatmulBenchmark' -bm thrpt -tu s -f 1 -wi 1 -i 3 -w 200ms -r 200ms -rf json -rff $out/kernel-shapes.json > $out/kernel-shapes.log 2>&1
$J -cp "$cp" org.openjdk.jmh.Main 'fix.DecodeBenchmark' -bm thrpt -tu s -f 1 -wi 1 -i 3 -w 100ms -r 100ms -rf json -rff $out/decode-thrpt.json > $out/decode-thrpt.log 2>&1
$J -cp "$cp" org.openjdk.jmh.Main 'fix.DecodeBenchmark' -bm avgt -tu ms -f 1 -wi 1 -i 3 -w 100ms -r 100ms -p format=i2_s -rf json -rff $out/decode-avgt.json > $out/decode-avgt.log 2>&1
echo done
