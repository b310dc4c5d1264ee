#!/usr/bin/env bash
# New-call (and optionally whole-call) IVR throughput of two or more builds, alternately, on one store kind, each
# round on a fresh store, so a busy machine weighs on each alike. Each gateway gets its own data dir and ports;
# IvrBench measures /health/live as the baseline next to every measured step.
# Usage: bench/ivr-ab.sh h2|mariadb "<IvrBench args>" jar...
#   bench/ivr-ab.sh h2 "--mode baseline,new-call --concurrency 4,16,32 --seconds 8 --warmup 8" /tmp/before.jar gateway/target/hotline-gateway.jar
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
kind=$1; args=$2; shift 2
rounds=${ROUNDS:-2}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
port=8181; mport=8182; token=benchtoken-ivr
for ((r = 1; r <= rounds; r++)); do
  for jar in "$@"; do
    jar=$(realpath "$jar")
    dir=$(mktemp -d); cp -r "$repo/ivr-flows" "$repo/config" "$dir/"
    env=(GATEWAY_HTTP_PORT=$port GATEWAY_MANAGEMENT_PORT=$mport TWILIO_AUTH_TOKEN=$token)
    if [ "$kind" = mariadb ]; then
      mariadb -uroot -h127.0.0.1 -e 'DROP DATABASE IF EXISTS bench_ivr; CREATE DATABASE bench_ivr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
      env+=(GATEWAY_DB_URL=jdbc:mariadb://127.0.0.1:3306/bench_ivr GATEWAY_DB_USER=root GATEWAY_DB_PASSWORD=)
    fi
    (cd "$dir" && exec env "${env[@]}" "$java" -jar "$jar" serve >"$dir/out.log" 2>&1) &
    pid=$!
    for _ in $(seq 600); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/health/ready || true)" = 200 ] && break
      sleep 0.1
    done
    echo "## round $r, $kind, $jar"
    # shellcheck disable=SC2086
    "$java" "$repo/bench/IvrBench.java" --to http://localhost:$port --token $token $args || true
    kill $pid; wait $pid 2>/dev/null || true
    rm -rf "$dir"
  done
done
