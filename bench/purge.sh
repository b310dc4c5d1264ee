#!/usr/bin/env bash
# `retention purge` before and after a change, on the same seeded store: seeds one store with bench/Seed.java on the
# BEFORE jar's classpath, copies it (H2: the data dir; MariaDB: mariadb-dump into a second database), then times, as
# CLI runs of their own next to `--version`: the BEFORE jar's purge on the first copy, the AFTER jar's first open
# (`stats` for one day: it applies the AFTER jar's migrations, untimed by the purge) and its purge on the second copy,
# then each jar's purge again (nothing left to clear). Appends CSV rows to bench/results/purge.csv.
# Usage: bench/purge.sh h2|mariadb BEFORE.jar AFTER.jar [--contacts 100000] [--copy true] [--keep false]
# --copy false: no second copy (large stores): the AFTER jar runs on the same store after the BEFORE jar's two runs,
# so its first purge has nothing left to clear either. --keep true: the store is left for EXPLAIN.
# MariaDB: databases bench_purge and bench_purge_b, dropped and created first, dropped at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
store=${1:?h2 or mariadb}; before=$(realpath "${2:?BEFORE.jar}"); after=$(realpath "${3:?AFTER.jar}"); shift 3
contacts=100000; copy=true; keep=false
while [ $# -gt 0 ]; do
  case $1 in
    --contacts) contacts=$2; shift 2;;
    --copy) copy=$2; shift 2;;
    --keep) keep=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
csv=$repo/bench/results/purge.csv
mkdir -p "$repo/bench/results"
[ -f "$csv" ] || echo "date,store,contacts,measure,value,unit,baseline,ratio" >"$csv"
dir=$(mktemp -d /tmp/purge.XXXXXX)
cp -r "$repo/ivr-flows" "$repo/config" "$dir/"
export GATEWAY_HTTP_PORT=8571 GATEWAY_MANAGEMENT_PORT=8572 GATEWAY_PUBLIC_URL=http://127.0.0.1:8571 \
  TWILIO_AUTH_TOKEN=benchtoken-purge GATEWAY_DATA_DIR=$dir/data
db() { :; }
if [ "$store" = mariadb ]; then
  for d in bench_purge bench_purge_b; do
    mariadb -uroot -e "DROP DATABASE IF EXISTS $d; CREATE DATABASE $d CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  done
  export GATEWAY_DB_USER=root
  db() { export GATEWAY_DB_URL=jdbc:mariadb://127.0.0.1:3306/$1; }
  db bench_purge
fi
cd "$dir"
ms() { local t0 t1; t0=$(date +%s%N); "$@" >>"$dir/cli.out" 2>>"$dir/cli.err"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
"$java" -cp "$before" "$repo/bench/Seed.java" --contacts "$contacts" | tee "$dir/seed.out"
if [ "$copy" != true ]; then
  :
elif [ "$store" = mariadb ]; then
  mariadb-dump -uroot --single-transaction bench_purge | mariadb -uroot bench_purge_b
else
  cp -r "$dir/data" "$dir/data-b"
fi
now=$(date -u +%FT%TZ); today=$(date -u +%F)
row() { echo "$now,$store,$contacts,$1,$2,ms,$3,$(awk -v a=$2 -v b=$3 'BEGIN{printf "%.2f", a/b}')" | tee -a "$csv"; }
# before, on the first copy
base=$(ms "$java" -jar "$before" --version)
row before_purge "$(ms "$java" -jar "$before" retention purge)" "$base"
row before_purge_again "$(ms "$java" -jar "$before" retention purge)" "$base"
# after, on the second copy: migrate first, then purge
if [ "$copy" != true ]; then
  :
elif [ "$store" = mariadb ]; then db bench_purge_b; else export GATEWAY_DATA_DIR=$dir/data-b; fi
base=$(ms "$java" -jar "$after" --version)
row after_first_open_migrating "$(ms "$java" -jar "$after" stats --from "$today" --to "$today" --by month --format csv)" "$base"
row after_purge "$(ms "$java" -jar "$after" retention purge)" "$base"
row after_purge_again "$(ms "$java" -jar "$after" retention purge)" "$base"
if [ "$store" = mariadb ] && [ "$keep" != true ]; then
  mariadb -uroot -e 'DROP DATABASE bench_purge; DROP DATABASE bench_purge_b'
fi
echo "data dir and logs: $dir"
