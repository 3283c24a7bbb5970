# Per configuration: G weights x tokens per second (median of each JVM's 5 iterations) at the session's start and now.
# Reads the matmul-*-r*.json files of the folder given (default: this one), e.g. python3 a/show.py b
import json, glob, os, statistics, sys
here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
res = {}
for f in sorted(glob.glob(os.path.join(here, 'matmul-*-r*.json'))):
    side = os.path.basename(f)[len('matmul-'):].rsplit('-r', 1)[0]
    for b in json.load(open(f)):
        p = b['params']
        m, k = map(int, p['shape'].split('x'))
        n = int(p['batch'])
        raw = [x for it in b['primaryMetric']['rawData'] for x in it]
        key = (p['format'], n, p['residency'], int(p['threads']))
        res.setdefault(key, {}).setdefault(side, []).append(statistics.median(raw) * m * k * n / 1e9)
print('| format | batch | residency | threads | start r1, r2 | now r1, r2 | now / start (medians) |')
print('|---|---:|---|---:|---|---|---:|')
for key, d in sorted(res.items()):
    a, b = d.get('session-start', []), d.get('now', [])
    if a and b:
        print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {', '.join('%.0f' % x for x in a)} | "
              f"{', '.join('%.0f' % x for x in b)} | {statistics.median(b) / statistics.median(a):.2f} |")
