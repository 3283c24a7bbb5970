import json,statistics,glob,os
res={}
for f in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),'matmul-*-r*.json'))):
    side=f.split('matmul-')[1].split('-r')[0]; rnd=f[-6]
    for b in json.load(open(f)):
        p=b['params']; m,k=map(int,p['shape'].split('x')); n=int(p['batch'])
        raw=[x for it in b['primaryMetric']['rawData'] for x in it]
        g=statistics.median(raw)*m*k*n/1e9
        res.setdefault((p['format'],n),{}).setdefault(side,[]).append(g)
print("| format | batch | before r1, r2 | after r1, r2 | ratio of medians |")
print("|---|---:|---|---|---:|")
for (fmt,n),d in sorted(res.items()):
    a=d.get('prehybrid',[]); b=d.get('hybrid',[])
    if a and b:
        print(f"| {fmt} | {n} | {', '.join('%.0f'%x for x in a)} | {', '.join('%.0f'%x for x in b)} | {statistics.median(b)/statistics.median(a):.2f} |")
