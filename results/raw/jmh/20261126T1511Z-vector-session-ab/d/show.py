# Each fork's median iteration (G weights/s), per round, side and format.
import json, os, statistics
here = os.path.dirname(os.path.abspath(__file__))
for r in (1, 2):
    for side in ('session-start', 'now'):
        for b in json.load(open(os.path.join(here, f'matmul-{side}-r{r}.json'))):
            forks = [statistics.median(x) * 2560 * 2560 / 1e9 for x in b['primaryMetric']['rawData']]
            print(r, side, b['params']['format'], ' '.join('%.1f' % m for m in forks))
