#!/usr/bin/env bash
# The chaos suite (issue 14): each scenario drives real traffic through a real gateway and counts every report,
# text and delivery against what was sent. Prints one table (scenario, sent, stored, delivered, lost, duplicates,
# time) and exits non-zero on any loss or failed assertion. Loopback only; MariaDB at 127.0.0.1:3306 (root).
#
#   bash bench/chaos.sh           full size: mvn -P chaos verify (10,000 texts, 1,000 calls ...; about 30-40 min here)
#   bash bench/chaos.sh --short   the size every build runs (CI; about 5 min)
set -uo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${CI_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
table=gateway/target/chaos/table.tsv
mkdir -p gateway/target/chaos && rm -f "$table"
if [ "${1:-}" = "--short" ]; then
  mvn -B -q verify -pl gateway -Dtest='*ChaosTest,SmppPduFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='*ChaosIT,CrashRecoveryIT'
else
  mvn -B -q -P chaos verify -pl gateway
fi
rc=$?
[ -s "$table" ] || { echo "no scenario ran (mvn exit $rc)" >&2; exit "${rc/#0/1}"; }
echo
echo "| scenario | store | sent | stored | delivered | lost | duplicates | time (s) | notes |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -F'\t' '{ for (i = 3; i <= 7; i++) if ($i == "-1") $i = "-";
  printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$table"
lost=$(awk -F'\t' '$6 > 0 { n += $6 } END { print n + 0 }' "$table")
echo
echo "lost: $lost; mvn exit: $rc"
[ "$lost" = 0 ] || exit 1
exit "$rc"
