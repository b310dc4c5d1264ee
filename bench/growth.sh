#!/usr/bin/env bash
# How cost grows with stored contacts: for each level (total contacts in the store), seeds the store up to it with
# bench/Seed.java, then times `stats` (a year by month, province, category, channel, age band) and `retention purge`
# as separate CLI runs, next to `--version` (the JVM and picocli alone) as the baseline, then starts a gateway and runs
# bench/IvrBench.java (baseline and new calls at 1, 4 and 16 connections). Appends CSV rows to bench/results/growth.csv.
# Usage: bench/growth.sh h2|mariadb [--levels 1000,100000,1000000] [--seconds 5]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
store=${1:?h2 or mariadb}; shift
levels=1000,100000,1000000; seconds=5
while [ $# -gt 0 ]; do
  case $1 in
    --levels) levels=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=$repo/gateway/target/hotline-gateway.jar
csv=$repo/bench/results/growth.csv
mkdir -p "$repo/bench/results"
[ -f "$csv" ] || echo "date,store,level,contacts,measure,concurrency,value,unit,baseline,ratio" >"$csv"
dir=$(mktemp -d /tmp/growth.XXXXXX)
cp -r "$repo/ivr-flows" "$repo/config" "$dir/"
port=8581; [ "$store" = mariadb ] && port=8591  # each store its own ports: the two can run side by side
export GATEWAY_DATA_DIR=$dir/data GATEWAY_HTTP_PORT=$port GATEWAY_MANAGEMENT_PORT=$((port + 1)) \
  GATEWAY_PUBLIC_URL=http://127.0.0.1:$port TWILIO_AUTH_TOKEN=benchtoken-growth
if [ "$store" = mariadb ]; then
  mariadb -uroot -e 'DROP DATABASE IF EXISTS bench_growth; CREATE DATABASE bench_growth CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
  export GATEWAY_DB_URL=jdbc:mariadb://127.0.0.1:3306/bench_growth GATEWAY_DB_USER=root
fi
cd "$dir"
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>>"$dir/cli.err"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
count() { grep -o 'the store has [0-9,]* contacts' "$dir/seed.out" | tail -1 | tr -dc 0-9; }
from=$(date -u -d '400 days ago' +%F); to=$(date -u +%F)
have=0
for level in ${levels//,/ }; do
  if [ "$have" -lt "$level" ]; then
    "$java" -cp "$jar" "$repo/bench/Seed.java" --contacts $((level - have)) | tee -a "$dir/seed.out"
  fi
  contacts=$(count)
  now=$(date -u +%FT%TZ)
  base=$(ms "$java" -jar "$jar" --version)
  stats=$(ms "$java" -jar "$jar" stats --from "$from" --to "$to" --by month,province,category,channel,age_band --format csv)
  stats2=$(ms "$java" -jar "$jar" stats --from "$from" --to "$to" --by month,province,category,channel,age_band --format csv)
  purge=$(ms "$java" -jar "$jar" retention purge)
  for m in "stats $stats" "stats_again $stats2" "retention_purge $purge"; do
    set -- $m
    echo "$now,$store,$level,$contacts,$1,,$2,ms,$base,$(awk -v a=$2 -v b=$base 'BEGIN{printf "%.2f", a/b}')" | tee -a "$csv"
  done
  "$java" -jar "$jar" serve >"$dir/gateway-$level.log" 2>&1 &
  gw=$!
  trap 'kill $gw 2>/dev/null || true' EXIT  # a failed IvrBench must not leave the gateway running
  until curl -sf http://127.0.0.1:$((port + 1))/health/ready >/dev/null; do sleep 0.5; done
  "$java" "$repo/bench/IvrBench.java" --to http://127.0.0.1:$port --token benchtoken-growth --mode baseline,new-call \
    --concurrency 1,4,16 --seconds "$seconds" --warmup 5 | tee "$dir/ivr-$level.out"
  kill $gw; wait $gw 2>/dev/null || true
  # | round | mode | concurrency | requests | req/s | vs baseline | p50 | p99 | max | fallback | errors |
  awk -F'|' -v now="$now" -v store="$store" -v level="$level" -v contacts="$contacts" '
    $3 ~ /baseline/ { gsub(/[ ,]/, "", $6); b[$4+0] = $6 }
    $3 ~ /new-call/ { gsub(/[ ,]/, "", $6); gsub(/ /, "", $7); gsub(/ /, "", $9); gsub(/ /, "", $11)
      printf "%s,%s,%s,%s,new_call_req_s,%d,%s,req/s,%s,%s\n", now, store, level, contacts, $4+0, $6, b[$4+0], $7
      printf "%s,%s,%s,%s,new_call_p99,%d,%s,ms,,\n", now, store, level, contacts, $4+0, $9
      printf "%s,%s,%s,%s,new_call_fallback,%d,%s,,,\n", now, store, level, contacts, $4+0, $11 }
  ' "$dir/ivr-$level.out" | tee -a "$csv"
  have=$level
done
echo "data dir and logs: $dir"
