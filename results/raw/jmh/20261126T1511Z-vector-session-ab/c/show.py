# Each JVM's 5 iterations (G weights/s), per round, side and backend.
import json, os
here = os.path.dirname(os.path.abspath(__file__))
for r in (1, 2):
    for side in ('session-start', 'now'):
        for b in json.load(open(os.path.join(here, f'matmul-{side}-r{r}.json'))):
            raw = [x * 2560 * 2560 / 1e9 for it in b['primaryMetric']['rawData'] for x in it]
            print(r, side, b['params']['backend'], ' '.join('%.0f' % x for x in raw))
