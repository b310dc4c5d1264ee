#!/usr/bin/env python3
"""Where a gateway JFR recording spends its CPU samples and its waits, by gateway frame.

  jfr print --json --stack-depth 64 --events jdk.ExecutionSample,jdk.JavaMonitorWait,jdk.JavaMonitorEnter,jdk.ThreadPark \
      /tmp/ivr.jfr > /tmp/ivr.json
  python3 bench/jfr-gateway-frames.py /tmp/ivr.json

CPU samples: count per gateway method on the stack (inclusive) and per innermost gateway method (the gateway code
that called into the libraries it spends the time in). Waits (monitor wait/enter, park): count and total duration
per innermost library frame and the first gateway frames above it.
"""
import collections
import json
import re
import sys

events = json.load(open(sys.argv[1]))["recording"]["events"]


def frames(e):
    st = e["values"].get("stackTrace") or {}
    return [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in st.get("frames", [])]


def seconds(e):
    m = re.match(r"PT(?:(\d+)H)?(?:(\d+)M)?([\d.]+)S", e["values"].get("duration", "PT0S"))
    return (int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3))) if m else 0.0


def gateway(fr, n):
    return tuple(f for f in fr if f.startswith("vn.hotline") and "$$Lambda" not in f and "lambda$" not in f)[:n]


samples = [e for e in events if e["type"] == "jdk.ExecutionSample"]
inclusive, innermost = collections.Counter(), collections.Counter()
for e in samples:
    fr = frames(e)
    g = gateway(fr, 1)
    innermost[g[0] if g else "(no gateway frame: event loop, GC, JIT, H2 background)"] += 1
    for f in set(gateway(fr, 64)):
        inclusive[f] += 1
total = len(samples) or 1
print(f"CPU samples: {len(samples)}")
print("\ninclusive (gateway method anywhere on the stack)")
for k, n in inclusive.most_common(15):
    print(f"  {n:5d} {100 * n / total:5.1f} %  {k}")
print("\ninnermost gateway method")
for k, n in innermost.most_common(15):
    print(f"  {n:5d} {100 * n / total:5.1f} %  {k}")
for kind in ["jdk.JavaMonitorWait", "jdk.JavaMonitorEnter", "jdk.ThreadPark"]:
    agg = collections.defaultdict(lambda: [0, 0.0])
    for e in events:
        if e["type"] != kind:
            continue
        fr = frames(e)
        lib = next((f for f in fr if not f.startswith(("java.", "jdk.", "sun."))), fr[0] if fr else "?")
        a = agg[(lib, gateway(fr, 3))]
        a[0] += 1
        a[1] += seconds(e)
    print(f"\n{kind}: events, total seconds, where")
    for (lib, gw), (n, s) in sorted(agg.items(), key=lambda x: -x[1][1])[:8]:
        print(f"  {n:5d} {s:7.2f} s  {lib}" + "".join(f"\n                    < {f}" for f in gw))
