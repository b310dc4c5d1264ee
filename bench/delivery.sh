#!/usr/bin/env bash
# Webhook deliveries: queues N reports in a fresh store through the gateway's own code (bench/DeliveryBench.java
# queue), starts the verifying receiver and its baseline (DeliveryBench receive), then a gateway whose every agency
# points at the receiver, and counts: distinct webhook-ids at the receiver against deliveries queued, and the
# deliveries the store has as delivered once the gateway is stopped.
# Usage: bench/delivery.sh h2|mariadb [--reports 5000] [--concurrency 8]   (JFR=/tmp/d.jfr records the gateway 20 s); JAR=/tmp/other.jar runs another build
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
store=${1:?h2 or mariadb}; shift
reports=5000; concurrency=8
while [ $# -gt 0 ]; do
  case $1 in
    --reports) reports=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=${JAR:-$repo/gateway/target/hotline-gateway.jar}
dir=$(mktemp -d /tmp/deliverybench.XXXXXX)
cp -r "$repo/ivr-flows" "$repo/config" "$dir/"
secret=whsec_$(head -c 32 /dev/urandom | base64)
export GATEWAY_DATA_DIR=$dir/data GATEWAY_HTTP_PORT=8481 GATEWAY_MANAGEMENT_PORT=8482
for a in POLICE_INVESTIGATION POLICE_CYBER CHILD_PROTECTION EDUCATION HARMFUL_CONTENT; do
  slug=$(echo $a | tr 'A-Z_' 'a-z-')
  export ${a}_WEBHOOK_URL=http://127.0.0.1:9500/$slug ${a}_WEBHOOK_SECRETS=$secret
done
if [ "$store" = mariadb ]; then
  mariadb -uroot -e 'DROP DATABASE IF EXISTS bench_delivery; CREATE DATABASE bench_delivery CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
  export GATEWAY_DB_URL=jdbc:mariadb://127.0.0.1:3306/bench_delivery GATEWAY_DB_USER=root
fi
cd "$dir"
"$java" -cp "$jar" "$repo/bench/DeliveryBench.java" queue --reports "$reports" | tee "$dir/queue.out"
expect=$(sed -n 's/^deliveries=//p' "$dir/queue.out")
"$java" -cp "$jar" "$repo/bench/DeliveryBench.java" receive --port 9500 --baseline-port 9501 --secret "$secret" \
  --expect "$expect" --concurrency "$concurrency" >"$dir/receive.out" 2>&1 &
recv=$!
until grep -q '^ready' "$dir/receive.out" 2>/dev/null; do
  kill -0 $recv 2>/dev/null || { cat "$dir/receive.out"; exit 1; }
  sleep 0.5
done
jfr=()
[ -n "${JFR:-}" ] && jfr=("-XX:StartFlightRecording=delay=8s,duration=20s,filename=$JFR")
"$java" "${jfr[@]}" -jar "$jar" serve >"$dir/gateway.log" 2>&1 &
gw=$!
wait $recv || true
cat "$dir/receive.out"
kill $gw; wait $gw 2>/dev/null || true
if [ "$store" = mariadb ]; then
  echo "store: $(mariadb -uroot -N bench_delivery -e "SELECT CONCAT(status, ' ', COUNT(*)) FROM deliveries GROUP BY status" | tr '\n' ' ')," \
    "attempts $(mariadb -uroot -N bench_delivery -e 'SELECT COUNT(*) FROM delivery_attempts')"
fi
echo "data dir and logs: $dir"
