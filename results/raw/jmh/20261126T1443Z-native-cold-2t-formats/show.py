# Prints, per round, the native memory read (2 threads) and native:lut's cold 2-thread GEMVs: G weights/s,
# GB/s of the layout read, and GB/s over the same round's memory read.
import json, os
here = os.path.dirname(os.path.abspath(__file__))
for r in (1, 2, 3):
    k = json.load(open(os.path.join(here, f'k-r{r}.json')))
    m = json.load(open(os.path.join(here, f'm-r{r}.json')))
    read = [b for b in m if b['params']['threads'] == '2'][0]['secondaryMetrics']['bytes']['score'] / 1e9
    print(f'round {r}: memory read {read:.2f} GB/s')
    for b in k:
        s = b['secondaryMetrics']
        gbs = s['bytes']['score'] / 1e9
        print(f"  {b['params']['format']:6} {s['weights']['score'] / 1e9:6.1f} G weights/s {gbs:6.2f} GB/s {gbs / read:5.2f} of the read")
