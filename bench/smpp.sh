#!/usr/bin/env bash
# SMPP intake: starts bench/SmppBench.java (the SMSC, with its in-process baseline ESME), then a gateway bound to
# it on a fresh store, runs the benchmark, and counts what the gateway stored against what it acknowledged.
# Usage: bench/smpp.sh h2|mariadb [SmppBench options...]   (JFR=/tmp/smpp.jfr records the gateway for 30 s)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
store=${1:?h2 or mariadb}; shift
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=$repo/gateway/target/hotline-gateway.jar
dir=$(mktemp -d /tmp/smppbench.XXXXXX)
cp -r "$repo/ivr-flows" "$repo/config" "$dir/"
export GATEWAY_DATA_DIR=$dir/data GATEWAY_HTTP_PORT=8281 GATEWAY_MANAGEMENT_PORT=8282 \
  GATEWAY_SMPP_HOST=127.0.0.1 GATEWAY_SMPP_PORT=2875 GATEWAY_SMPP_SYSTEM_ID=hotline GATEWAY_SMPP_PASSWORD=hotline
if [ "$store" = mariadb ]; then
  mariadb -uroot -e 'DROP DATABASE IF EXISTS bench_smpp; CREATE DATABASE bench_smpp'
  export GATEWAY_DB_URL=jdbc:mariadb://127.0.0.1:3306/bench_smpp GATEWAY_DB_USER=root
fi
jfr=()
[ -n "${JFR:-}" ] && jfr=("-XX:StartFlightRecording=delay=20s,duration=30s,filename=$JFR")
# The gateway first, and the SMSC only once its store is migrated: it binds before that (and answers
# ESME_RX_T_APPN meanwhile), and on a busy machine MariaDB's migration can take longer than the warm-up.
(cd "$dir" && GATEWAY_SMPP_RECONNECT_MAX_SECONDS=2 exec "$java" "${jfr[@]}" -jar "$jar" serve >"$dir/gateway.log" 2>&1) &
gw=$!
for _ in $(seq 1 600); do grep -q 'store migrated' "$dir/gateway.log" 2>/dev/null && break; sleep 0.5; done
"$java" -cp "$jar" "$repo/bench/SmppBench.java" --port 2875 "$@" >"$dir/bench.out" 2>&1 &
bench=$!
tail -f "$dir/bench.out" --pid=$bench &
wait $bench || { echo "bench failed; see $dir" >&2; kill $gw; exit 1; }
sleep 2
echo "gateway /metrics:"
curl -s http://127.0.0.1:8282/metrics | grep -E '^hotline_smpp_inbound_parts_total' || true
if [ "$store" = mariadb ]; then
  echo "stored: $(mariadb -uroot -N bench_smpp -e 'SELECT COUNT(*) FROM sms_inbound_parts') parts," \
    "$(mariadb -uroot -N bench_smpp -e 'SELECT COUNT(*) FROM sms_inbound') texts"
fi
kill $gw; wait $gw 2>/dev/null || true
echo "data dir and logs: $dir"
