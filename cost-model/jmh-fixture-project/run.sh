#!/usr/bin/env bash
# Writes one JMH JSON per mode/option set into /tmp/jmhfix/out. Tiny runs: 1 fork, 1 warmup + 2 iterations of 100 ms.
set -euo pipefail
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
out=/tmp/jmhfix/out; mkdir -p $out
run() { # dir name args...
  local dir=$1 name=$2; shift 2
  local cp="$dir/target/classes:$(cat $dir/cp.txt)"
  $J -cp "$cp" org.openjdk.jmh.Main "$@" -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1
}
T="-f 1 -wi 1 -i 2 -w 100ms -r 100ms"
run /tmp/jmhfix thrpt-params  'fix.ParamBench.sum' -bm thrpt -tu s $T
run /tmp/jmhfix thrpt-ms-noparams 'fix.PlainBench' -bm thrpt -tu ms $T
run /tmp/jmhfix avgt-params   'fix.ParamBench.sum' -bm avgt -tu ns $T -p size=64,1024 -p variant=plain
run /tmp/jmhfix avgt-noparams 'fix.PlainBench' -bm avgt -tu ns $T
run /tmp/jmhfix sample-params 'fix.ParamBench.sum' -bm sample -tu us $T -p variant=plain
run /tmp/jmhfix ss-params     'fix.ParamBench.sum' -bm ss -tu us -f 1 -wi 2 -i 5 -bs 100 -p variant=plain
run /tmp/jmhfix ss-single-iteration 'fix.PlainBench' -bm ss -tu us -f 1 -wi 0 -i 1
run /tmp/jmhfix all-modes     'fix.PlainBench' -bm all -tu us $T
run /tmp/jmhfix thrpt-gc      'fix.ParamBench.allocate' -bm thrpt -tu s $T -p variant=plain -prof gc
run /tmp/jmhfix thrpt-2forks  'fix.ParamBench.sum' -bm thrpt -tu s -f 2 -wi 1 -i 3 -w 100ms -r 100ms -p size=1024 -p variant=plain
run /tmp/jmhfix136 jmh136-thrpt-gc 'fix.ParamBench.allocate' -bm thrpt -tu s $T -p variant=plain -prof gc
run /tmp/jmhfix136 jmh136-sample-gc 'fix.PlainBench' -bm sample -tu ns $T -prof gc
echo done
