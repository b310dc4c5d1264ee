#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on this machine, for the "beyond one database server" chaos run
# (GaleraChaosIT; docs/reliability.md, docs/operations.md). Documented, not run in CI.
#
# Debian's galera-4 and mariadb-server (10.11) packages; the machine's own MariaDB (3306, its datadir) is left
# alone. Each node has its own ports and data directory under $GALERA_DIR (default /tmp/galera, owner-only),
# listens on 127.0.0.1 only, and copies state by rsync (SST) or from the donor's gcache (IST):
#
#   node   SQL    gcomm  IST    SST (rsync)
#   1      3311   4571   4581   4591
#   2      3312   4572   4582   4592
#   3      3313   4573   4583   4593
#
#   bash bench/galera.sh up          start the nodes not running (node 1 bootstraps a new cluster when no node
#                                    runs); waits until all three are Synced; creates database `test` and user
#                                    `hotline`@127.0.0.1 (password in $GALERA_DIR/password)
#   bash bench/galera.sh status      each node: pid, wsrep_local_state_comment, wsrep_cluster_size, rows
#   bash bench/galera.sh kill N      SIGKILL node N's mariadbd (a crash: no clean shutdown)
#   bash bench/galera.sh start N     start node N again, joining the running cluster (IST, or SST when needed)
#   bash bench/galera.sh wait N      wait until node N is Synced in a cluster of 3
#   bash bench/galera.sh url         the gateway's db.url: Connector/J's sequential (single-writer) failover URL
#   bash bench/galera.sh down        stop every node (SIGTERM, then SIGKILL) and delete $GALERA_DIR
#   bash bench/galera.sh run [CALLS] up, GaleraChaosIT against the cluster (kills node 1, the writer, mid-load,
#                                    restarts it), the table row, down; exit non-zero on any failure
#                                    (GALERA_KEEP=1: leave the cluster up afterwards, to look at it)
#
# A node restarted after a kill first recovers its committed position (mariadbd --wsrep-recover, no networking),
# so it takes only the write sets it missed (IST); joiners prefer node 3 as donor, not the writer.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${GALERA_DIR:-/tmp/galera}"
PROVIDER=/usr/lib/galera/libgalera_smm.so
MARIADBD=/usr/sbin/mariadbd
NODES=(1 2 3)
DB=test
USER_NAME=hotline
# The account the nodes run as: not root (rsync's SST daemon started by root would write as "nobody"), by
# default the packaged server's own "mysql" account; it alone can read the data directories (0700).
RUN_AS="${GALERA_RUN_AS:-$( [ "$(id -u)" = 0 ] && echo mysql || id -un )}"

die() { echo "galera.sh: $*" >&2; exit 1; }
sql_port() { echo $((3310 + $1)); }
node_dir() { echo "$DIR/node$1"; }
sock() { echo "$(node_dir "$1")/mysqld.sock"; }
check_node() { [[ "${1:-}" =~ ^[123]$ ]] || die "node must be 1, 2 or 3 (got '${1:-}')"; }

preflight() {
  [ -x "$MARIADBD" ] || die "$MARIADBD missing: apt-get install mariadb-server"
  [ -f "$PROVIDER" ] || die "$PROVIDER missing: apt-get install galera-4"
  command -v rsync >/dev/null || die "rsync missing (the SST method): apt-get install rsync"
  command -v mariadb >/dev/null || die "the mariadb client is missing: apt-get install mariadb-client"
  id "$RUN_AS" >/dev/null 2>&1 || die "no account '$RUN_AS' to run the nodes as (set GALERA_RUN_AS)"
}

# The pid of node N's mariadbd when it runs (checked against its command line, so a stale pid file never
# names another process), else nothing.
pid_of() {
  local f pid
  f="$(node_dir "$1")/mariadbd.pid"
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--defaults-file=$(node_dir "$1")/my.cnf"; then
    echo "$pid"
  fi
}

q() { # q N SQL: one query on node N through its socket, as root; tab-separated, no headers
  # bounded: a node busy joining can take a connection and not answer it for a long time
  timeout 10 mariadb --no-defaults --connect-timeout=3 --socket="$(sock "$1")" -uroot -N -B -e "$2" 2>/dev/null
}

wsrep() { # wsrep N VAR: a wsrep status variable of node N (empty when it does not answer)
  q "$1" "SHOW GLOBAL STATUS LIKE '$2'" | cut -f2 || true
}

write_cnf() {
  local n=$1 d
  d=$(node_dir "$n")
  cat >"$d/my.cnf" <<EOF
[mysqld]
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
port=$(sql_port "$n")
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
max_connections=300
innodb_buffer_pool_size=128M
innodb_log_file_size=64M
# Galera: row-based replication, interleaved auto-increment locks, InnoDB only
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=hotline-galera
wsrep_cluster_address=gcomm://127.0.0.1:4571,127.0.0.1:4572,127.0.0.1:4573
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$((4570 + n))
wsrep_node_incoming_address=127.0.0.1:$(sql_port "$n")
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$((4570 + n));ist.recv_addr=127.0.0.1:$((4580 + n));gcache.size=256M;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT15S"
wsrep_sst_method=rsync
# A joiner takes its state from node 3 first: the writer (node 1, or node 2 once node 1 is lost) is not made a
# donor while another node can be (an rsync SST donor holds its writes while it flushes its tables).
wsrep_sst_donor=$( [ "$n" = 3 ] && echo "node2,node1," || echo "node3,$( [ "$n" = 1 ] && echo node2 || echo node1 )," )
wsrep_sst_receive_address=127.0.0.1:$((4590 + n))
wsrep_slave_threads=2
# A read waits until this node has applied every write set the cluster committed before it (causal reads):
# a gateway that fails over to this node reads what it wrote on the node it left.
wsrep_sync_wait=1
EOF
  chmod 600 "$d/my.cnf"
}

# owner_only DIR: DIR and what is in it belong to the nodes' account, which alone can read it.
owner_only() {
  [ "$(id -u)" != 0 ] || chown -R "$RUN_AS:" "$DIR"
  chmod 700 "$DIR" "$1"
  [ ! -d "$1/data" ] || chmod 700 "$1/data"
}

# recovered_position N: after a crash (grastate.dat says seqno -1) the position node N's InnoDB committed, read
# by mariadbd --wsrep-recover as the packaged galera_recovery does; with it the node asks the cluster for the
# write sets it missed (IST, from the donor's gcache) instead of a whole copy (SST, which blocks the donor's
# writes while it flushes its tables). Empty when the node stopped cleanly or has no data yet.
recovered_position() {
  local d log pos
  d=$(node_dir "$1")
  [ -f "$d/data/grastate.dat" ] && grep -q '^seqno: *-1' "$d/data/grastate.dat" || return 0
  log="$d/recover.log"
  rm -f "$log"
  # --skip-networking: no client reaches this short-lived server (a gateway's sequential URL would try it first).
  # It should exit once it has logged the position; it has been seen to hang after that for minutes on a loaded
  # machine, so it gets 120 s to log it and is then SIGKILLed if still there (InnoDB recovery is done by then,
  # and the real start recovers again anyway).
  "$MARIADBD" --defaults-file="$d/my.cnf" --user="$RUN_AS" --wsrep-recover --skip-networking \
    --socket="$d/recover.sock" --log-error="$log" >/dev/null 2>&1 </dev/null &
  local rpid=$! i
  for i in $(seq 1 240); do
    grep -q 'WSREP: Recovered position' "$log" 2>/dev/null && break
    [ -d "/proc/$rpid" ] || break
    sleep 0.5
  done
  for i in $(seq 1 20); do
    [ -d "/proc/$rpid" ] || break
    sleep 0.5
  done
  if [ -d "/proc/$rpid" ]; then
    kill -KILL "$rpid" 2>/dev/null || true
    echo "node $1: the --wsrep-recover pass did not exit by itself: SIGKILLed" >&2
  fi
  wait "$rpid" 2>/dev/null || true
  pos=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:[0-9-]*\).*/\1/p' "$log" 2>/dev/null | tail -n 1)
  [ -z "$pos" ] || echo "node $1 recovered position $pos" >&2
  echo "$pos"
}

# start_node N [--wsrep-new-cluster]: starts node N in the background (its output in its error.log).
start_node() {
  local n=$1 d pid
  shift
  d=$(node_dir "$n")
  if [ -n "$(pid_of "$n")" ]; then
    echo "node $n already runs (pid $(pid_of "$n"))"
    return 0
  fi
  if ss -ltn | awk '{print $4}' | grep -qE "^127\.0\.0\.1:($(sql_port "$n")|$((4570 + n))|$((4580 + n))|$((4590 + n)))$"; then
    die "a port of node $n ($(sql_port "$n"), $((4570 + n)), $((4580 + n)) or $((4590 + n))) is taken by another process"
  fi
  (umask 077; mkdir -p "$d/data")
  write_cnf "$n"
  owner_only "$d"
  local pos
  pos=$(recovered_position "$n")
  [ -z "$pos" ] || set -- "$@" --wsrep-start-position="$pos"
  setsid "$MARIADBD" --defaults-file="$d/my.cnf" --user="$RUN_AS" "$@" >>"$d/error.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$d/mariadbd.pid"
  echo "node $n starting (pid $pid, port $(sql_port "$n")${1:+, $1})"
}

# wait_synced N [SIZE] [SECONDS]: until node N says Synced in a cluster of SIZE (default 3).
wait_synced() {
  local n=$1 size=${2:-3} secs=${3:-180} t0 state cs
  t0=$(date +%s)
  while :; do
    state=$(wsrep "$n" wsrep_local_state_comment)
    cs=$(wsrep "$n" wsrep_cluster_size)
    if [ "$state" = Synced ] && [ "$cs" = "$size" ]; then
      echo "node $n Synced, cluster size $cs ($(($(date +%s) - t0)) s)"
      return 0
    fi
    local m
    for m in "${NODES[@]}"; do
      # a cluster of 3 needs every node: one that exited will not come (its log says why)
      if [ "$m" = "$n" ] || [ "$size" = 3 ]; then
        if [ -z "$(pid_of "$m")" ]; then
          tail -n 30 "$(node_dir "$m")/error.log" >&2 || true
          die "node $m exited (its log: $(node_dir "$m")/error.log)"
        fi
      fi
    done
    [ $(($(date +%s) - t0)) -lt "$secs" ] || die "node $n not Synced in a cluster of $size within $secs s (state '${state:-no answer}', size '${cs:-?}')"
    sleep 0.5
  done
}

running_nodes() {
  local n
  for n in "${NODES[@]}"; do
    [ -z "$(pid_of "$n")" ] || echo "$n"
  done
}

cmd_up() {
  preflight
  (umask 077; mkdir -p "$DIR")
  chmod 700 "$DIR"
  local first
  first=$(running_nodes | head -n 1 || true)
  if [ -z "$first" ]; then
    # No node runs: node 1 bootstraps a new cluster, on a fresh datadir (a stopped cluster is deleted by down).
    if [ ! -d "$(node_dir 1)/data/mysql" ]; then
      (umask 077; mkdir -p "$(node_dir 1)/data")
      owner_only "$(node_dir 1)"
      mariadb-install-db --no-defaults --datadir="$(node_dir 1)/data" --user="$RUN_AS" \
        --auth-root-authentication-method=normal --skip-test-db >"$(node_dir 1)/install.log" 2>&1 \
        || { cat "$(node_dir 1)/install.log" >&2; die "mariadb-install-db failed"; }
    else
      # A datadir left by a crash of the whole cluster: node 1 may bootstrap from it.
      sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$(node_dir 1)/data/grastate.dat" 2>/dev/null || true
    fi
    start_node 1 --wsrep-new-cluster
    wait_synced 1 1 120
    first=1
  fi
  local n
  for n in "${NODES[@]}"; do
    [ -n "$(pid_of "$n")" ] || start_node "$n"
  done
  for n in "${NODES[@]}"; do
    wait_synced "$n" 3 240
  done
  local pw_file="$DIR/password" pw
  if [ ! -s "$pw_file" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$pw_file")
  fi
  pw=$(cat "$pw_file")
  q 1 "CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
       CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$pw';
       GRANT ALL ON $DB.* TO '$USER_NAME'@'127.0.0.1';" || die "cannot create database $DB and user $USER_NAME on node 1"
  echo "cluster up: $(cmd_url)"
}

cmd_status() {
  local n pid
  printf '%-5s %-8s %-6s %-10s %-5s %s\n' node pid port state size "rows (contacts/deliveries/audit_events)"
  for n in "${NODES[@]}"; do
    pid=$(pid_of "$n")
    if [ -z "$pid" ]; then
      printf '%-5s %-8s %-6s %-10s %-5s\n' "$n" - "$(sql_port "$n")" down -
      continue
    fi
    local rows
    rows=$(q "$n" "SELECT CONCAT((SELECT COUNT(*) FROM $DB.contacts), '/', (SELECT COUNT(*) FROM $DB.deliveries), '/',
      (SELECT COUNT(*) FROM $DB.audit_events))" || echo -)
    printf '%-5s %-8s %-6s %-10s %-5s %s\n' "$n" "$pid" "$(sql_port "$n")" "$(wsrep "$n" wsrep_local_state_comment)" \
      "$(wsrep "$n" wsrep_cluster_size)" "${rows:--}"
  done
}

cmd_kill() {
  check_node "${1:-}"
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] || die "node $1 does not run"
  kill -KILL "$pid"
  local i
  for i in $(seq 1 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  [ ! -d "/proc/$pid" ] || die "node $1 (pid $pid) still there after SIGKILL"
  echo "node $1 killed (SIGKILL, pid $pid) at $(date -u +%FT%T.%3NZ)"
}

cmd_start() {
  check_node "${1:-}"
  preflight
  [ -n "$(running_nodes)" ] || die "no node runs: bring the cluster up with 'up'"
  start_node "$1"
}

cmd_wait() {
  check_node "${1:-}"
  wait_synced "$1" 3 "${2:-240}"
}

cmd_url() {
  echo "jdbc:mariadb:sequential://127.0.0.1:3311,127.0.0.1:3312,127.0.0.1:3313/$DB"
}

cmd_down() {
  local n pid i
  for n in "${NODES[@]}"; do
    pid=$(pid_of "$n")
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 300); do
      [ -d "/proc/$pid" ] || break
      sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "node $n did not stop within 30 s: SIGKILL"
    fi
    echo "node $n stopped"
  done
  case "$DIR" in
    /tmp/*) rm -rf -- "$DIR" ;;
    *) [ ! -e "$DIR" ] || echo "left $DIR in place (only a directory under /tmp/ is deleted)" ;;
  esac
  for n in "${NODES[@]}"; do
    ! ss -ltn | awk '{print $4}' | grep -q "^127\.0\.0\.1:$(sql_port "$n")$" || echo "port $(sql_port "$n") still listens" >&2
  done
}

cmd_run() {
  local calls=${1:-200} rc=0
  export JAVA_HOME="${CI_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  export PATH="$JAVA_HOME/bin:$PATH"
  # GALERA_KEEP=1: leave the cluster up after the run, to look at it (then: bash bench/galera.sh down)
  [ "${GALERA_KEEP:-}" = 1 ] || trap cmd_down EXIT
  cmd_up
  local table=gateway/target/chaos/table.tsv
  mkdir -p gateway/target/chaos && rm -f "$table"
  mvn -B -q -o verify -pl gateway -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GaleraChaosIT \
    -Dgalera.url="$(cmd_url)" -Dgalera.user="$USER_NAME" -Dgalera.password="$(cat "$DIR/password")" \
    -Dgalera.calls="$calls" -Dgalera.script="$PWD/bench/galera.sh" -Dgalera.kill=1 || rc=$?
  cmd_status || true
  if [ -s "$table" ]; then
    echo
    echo "| scenario | store | sent | stored | delivered | lost | duplicates | time (s) | notes |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$table"
  else
    echo "GaleraChaosIT wrote no row (mvn exit $rc): see gateway/target/failsafe-reports/" >&2
    [ "$rc" != 0 ] || rc=1
  fi
  echo "mvn exit: $rc"
  return "$rc"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  kill) cmd_kill "${2:-}" ;;
  start) cmd_start "${2:-}" ;;
  wait) cmd_wait "${2:-}" "${3:-240}" ;;
  url) cmd_url ;;
  run) cmd_run "${2:-200}" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
