#!/usr/bin/python3
"""Renders docs/images/growth.png from bench/results/growth.csv (bench/growth.sh's rows).

  apt-get install -y python3-matplotlib      # Debian's; the pyenv python has no matplotlib
  /usr/bin/python3 bench/plot-growth.py [bench/results/growth.csv] [docs/images/growth.png]

Left: new calls per second as a share of /health/live measured just before, at 1, 4 and 16 connections, against
the stored contacts. Right: `stats` (a year by month, province, category, channel, age band) and `retention purge`
wall time as CLI runs, against the stored contacts, with `--version` (JVM start) as the dashed baseline.
When a (store, level) was measured more than once, the last run counts.
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

src = sys.argv[1] if len(sys.argv) > 1 else "bench/results/growth.csv"
out = sys.argv[2] if len(sys.argv) > 2 else "docs/images/growth.png"
rows = list(csv.DictReader(open(src)))
last = {}
for r in rows:
    last[(r["store"], r["level"], r["measure"], r["concurrency"])] = r

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
styles = {"h2": "-", "mariadb": "--"}
markers = {"1": "o", "4": "s", "16": "^"}
for store in ("h2", "mariadb"):
    for conc in ("1", "4", "16"):
        pts = sorted((int(r["contacts"]), float(r["ratio"])) for (s, _, m, c), r in last.items()
                     if s == store and m == "new_call_req_s" and c == conc and r["ratio"])
        if pts:
            left.plot([p[0] for p in pts], [p[1] for p in pts], styles[store], marker=markers[conc],
                      label=f"{store}, {conc} conn.")
left.set_xscale("log")
left.set_xlabel("stored contacts")
left.set_ylabel("new calls/s ÷ /health/live req/s (same run)")
left.set_title("New-call webhook throughput")
left.grid(True, which="both", alpha=0.3)
left.legend(fontsize=8)

for store in ("h2", "mariadb"):
    for measure, marker in (("stats", "o"), ("retention_purge", "s")):
        pts = sorted((int(r["contacts"]), float(r["value"]) / 1000) for (s, _, m, c), r in last.items()
                     if s == store and m == measure)
        if pts:
            right.plot([p[0] for p in pts], [p[1] for p in pts], styles[store], marker=marker, label=f"{store}, {measure}")
    base = sorted((int(r["contacts"]), float(r["baseline"]) / 1000) for (s, _, m, c), r in last.items()
                  if s == store and m == "stats")
    if base:
        right.plot([p[0] for p in base], [p[1] for p in base], styles[store], color="grey", alpha=0.6,
                   label=f"{store}, --version (baseline)")
right.set_xscale("log")
right.set_yscale("log")
right.set_xlabel("stored contacts")
right.set_ylabel("wall time of the CLI run, s")
right.set_title("stats (one year) and retention purge")
right.grid(True, which="both", alpha=0.3)
right.legend(fontsize=8)
fig.suptitle("How cost grows (2 cores, shared and noisy; bench/growth.sh)", fontsize=10)
fig.tight_layout()
fig.savefig(out, dpi=110)
print("wrote", out)

# the table docs/benchmarks.md shows, from the same rows
print("| store | stored contacts | `stats`, one year (× `--version`) | `stats` again | `retention purge` (× `--version`) |"
      " new calls/s at 1 / 4 / 16 connections | × `/health/live` at 1 / 4 / 16 | p99 ms at 1 / 4 / 16 | fallback |")
print("|---|---|---|---|---|---|---|---|---|")
levels = sorted({(s, int(l)) for (s, l, _, _) in last})
for store, level in levels:
    def get(measure, conc="", field="value"):
        r = last.get((store, str(level), measure, conc))
        return r[field] if r else "-"
    contacts = int(get("stats", field="contacts"))
    fmt = lambda ms: f"{int(ms) / 1000:.1f} s"
    calls = " / ".join(get("new_call_req_s", c) for c in ("1", "4", "16"))
    ratios = " / ".join(get("new_call_req_s", c, "ratio") for c in ("1", "4", "16"))
    p99 = " / ".join(get("new_call_p99", c) for c in ("1", "4", "16"))
    fallback = " / ".join(get("new_call_fallback", c) for c in ("1", "4", "16"))
    print(f"| {store} | {contacts:,} | {fmt(get('stats'))} ({get('stats', field='ratio')}) | {fmt(get('stats_again'))} |"
          f" {fmt(get('retention_purge'))} ({get('retention_purge', field='ratio')}) | {calls} | {ratios} | {p99} |"
          f" {fallback} |")
