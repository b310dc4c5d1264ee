#!/usr/bin/env bash
# Start to ready: from `java -jar <jar> serve` process start to the first 200 of GET /health/ready, on the
# embedded store, first in a fresh empty data dir, then again on that same dir (second start).
# Usage: bench/startup.sh [runs] [jar...]   (default: 5 runs of gateway/target/hotline-gateway.jar)
# Several jars are measured alternately in the same session, so a busy machine weighs on each alike.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
shift || true
jars=()
for jar in "$@"; do jars+=("$(realpath "$jar")"); done # each run starts in its own directory
[ ${#jars[@]} -gt 0 ] || jars=("$repo/gateway/target/hotline-gateway.jar")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

now_ms() { date +%s%3N; }

# one <jar> <dir>: prints the milliseconds from process start to the first ready 200
one() {
  local jar=$1 dir=$2 port start pid t code
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  start=$(now_ms)
  (cd "$dir" && GATEWAY_HTTP_PORT=$port exec "$java" -jar "$jar" serve >"$dir/out.log" 2>&1) &
  pid=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)
    [ "$code" = 200 ] && break
    kill -0 $pid 2>/dev/null || { echo "gateway exited; see $dir/out.log" >&2; return 1; }
    t=$(( $(now_ms) - start )); [ $t -lt 60000 ] || { kill $pid; echo "not ready after 60 s" >&2; return 1; }
    sleep 0.02
  done
  echo $(( $(now_ms) - start ))
  kill $pid; wait $pid 2>/dev/null || true
}

declare -A fresh second
for ((r = 1; r <= runs; r++)); do
  for jar in "${jars[@]}"; do
    dir=$(mktemp -d)
    cp -r "$repo/ivr-flows" "$repo/config" "$dir/"
    f=$(one "$jar" "$dir"); s=$(one "$jar" "$dir")
    fresh[$jar]="${fresh[$jar]:-} $f"; second[$jar]="${second[$jar]:-} $s"
    echo "run $r $(basename "$jar"): fresh ${f} ms, second start ${s} ms" >&2
    rm -rf "$dir"
  done
done
for jar in "${jars[@]}"; do
  for kind in fresh second; do
    declare -n v=$kind
    sorted=$(tr ' ' '\n' <<<"${v[$jar]}" | grep . | sort -n | tr '\n' ' ')
    median=$(tr ' ' '\n' <<<"$sorted" | grep . | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$(basename "$jar") $kind: median ${median} ms, all: ${sorted}"
  done
done
