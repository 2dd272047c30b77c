#!/usr/bin/env bash
# Benchmarks NotifyActors against its floor (bench/Baseline.RawKestrel) in one run.
#   bench/run.sh [quick|full]      quick (default): small figures, ~10 minutes; full: the issue's figures
#   bench/run.sh hostile           the service alone under attack (its quiet figures measured in the same run), ~3 minutes a run
#   bench/run.sh durable           publish throughput, latency, recovery and journal size of channels with history,
#                                  on the memory, sqlite and postgres stores (postgres: the connection string in
#                                  /tmp/pgconn or BENCH_PGCONN, tables in a schema of its own), ~2 minutes a run
#   bench/run.sh cluster           issue 12: cross-node fan-out (2 nodes) and 100,000 connections over 6 nodes, each
#                                  against one node in the same run (bench/cluster.sh; sizes and options there)
#   bench/run.sh centrifugo        issue 13: fan-out to 2,000 Centrifugo JSON clients and 10,000 idle ones, each against
#                                  native clients of the same service in the same run, ~5 minutes with REPS=2
# Builds Release, runs every scenario against the service and the baseline alternately (a fresh server
# process for every run), repeats each run REPS times (default 2), prints the table and writes
# docs/benchmarks.md and docs/benchmarks.svg. Traffic stays on 127.0.0.0/8. It stops only the
# processes it started (their PIDs); every wait is bounded.
set -euo pipefail

MODE=${1:-quick}
REPS=${REPS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SVC_PORT=${BENCH_SERVICE_PORT:-18480}
BASE_PORT=${BENCH_BASELINE_PORT:-18490}
KEY=bench-$RANDOM$RANDOM
RESULTS=${RESULTS:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$MODE}
mkdir -p "$RESULTS"

case "$MODE" in
  quick)
    IDLE="--n 2000 --warmup 500 --settle 5"
    FANOUT="--subscribers 500 --messages 200 --rate 20 --full-messages 300"
    CHURN="--cycles 5000 --inflight 64 --settle 5"
    SLOW="--subscribers 100 --stalled 0.05 --messages 3000 --payload 4096 --grace 8"
    HELD="--n 19000 --messages 5 --limit 300"
    ;;
  full)
    IDLE="--n 10000 --warmup 1000 --settle 8 --limit 300"
    FANOUT="--subscribers 2000 --messages 600 --rate 20 --full-messages 300 --limit 300"
    CHURN="--cycles 50000 --inflight 64 --settle 8 --limit 600"
    SLOW="--subscribers 2000 --stalled 0.05 --messages 1500 --payload 4096 --grace 8 --limit 300"
    HELD="--n 19000 --messages 10 --limit 300"
    ;;
  hostile)
    # Canaries quiet for 20 s, then for 60 s under every attack at once; then 2,000 connections that send one 63 KB frame each.
    HOSTILE="--canaries 50 --rate 100 --quiet 20 --duration 60 --partial 1000 --surrogates 4 --surrogate-rate 500 --pongs 8 --pong-rate 100 --aborters 16 --abort-rate 100 --bigframes 2000 --limit 300"
    ;;
  durable)
    # 8 publishers: 20 s warm-up (a young process is still tiering its JIT: a 2 s warm-up measured the JIT, not the store) + 10 s on one channel, the same over 100 channels, 1,000/s paced for 10 s;
    # then 300 to each of two channels (timed after a restart) and 5,000 to one (its journal rows counted).
    DURABLE="--publishers 8 --warmup 20 --seconds 10 --rate 1000 --history 300 --bound 5000 --limit 120"
    ;;
  cluster) ;; # sizes: bench/cluster.sh
  centrifugo)
    # The service only, native clients (/ws) against Centrifugo JSON clients (/connection/websocket), a fresh server each:
    # full's fan-out (2,000 subscribers on one channel: 50 warm-up publications, 600 paced at 20/s), then the ceiling in
    # five bursts of 200 at full speed with 8 in flight, each drained before the next (one burst of 300, as full has it,
    # landed now keeping pace, now draining a backlog, in either protocol: 0.4x to 2x of each other from run to run),
    # and full's idle (10,000 connections, each subscribed to its own channel, after 1,000 warm-up connections of the
    # same protocol that are dropped before the empty server's RSS is read).
    CF_FANOUT="--subscribers ${CF_SUBSCRIBERS:-2000} --messages 600 --rate 20 --full-messages 200 --full-rounds 5 --limit 300"
    CF_IDLE="--n ${CF_IDLE_N:-10000} --warmup 1000 --settle 8 --limit 300"
    ;;
  *) echo "usage: bench/run.sh [quick|full|hostile|durable|cluster|centrifugo]" >&2; exit 2 ;;
esac

echo "== building Release"
for p in src/NotifyActors.Server bench/Baseline.RawKestrel bench/NotifyActors.LoadGen; do
  dotnet build "$p" -c Release -nologo -v q >/dev/null
done
SERVER_DLL=src/NotifyActors.Server/bin/Release/net10.0/NotifyActors.Server.dll
BASELINE_DLL=bench/Baseline.RawKestrel/bin/Release/net10.0/Baseline.RawKestrel.dll
LOADGEN="dotnet bench/NotifyActors.LoadGen/bin/Release/net10.0/NotifyActors.LoadGen.dll"

SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap cleanup EXIT INT TERM

start_server() { # target (baseline, or anything else: the service) -> sets SERVER_PID, PORT
  local target=$1 log=$2
  if [[ $target != baseline ]]; then
    PORT=$SVC_PORT
    NOTIFY_PROFILE=development NOTIFY_URLS=http://127.0.0.1:$PORT NOTIFY_ADMIN_URLS=http://127.0.0.1:$((PORT + 1)) NOTIFY_API_KEYS=$KEY \
    NOTIFY_HEARTBEAT_INTERVAL=3600 NOTIFY_HEARTBEAT_TIMEOUT=3600 \
    NOTIFY_JWT_SECRET=bench-secret-bench-secret-bench-secret-0 NOTIFY_ADMIN_TOKEN=bench-admin \
      dotnet "$SERVER_DLL" >"$log" 2>&1 &
  else
    PORT=$BASE_PORT
    dotnet "$BASELINE_DLL" --urls http://127.0.0.1:$PORT --apikey "$KEY" >"$log" 2>&1 &
  fi
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server $target died, see $log" >&2; return 1; }
    sleep 0.25
  done
  echo "server $target did not come up, see $log" >&2
  return 1
}

run_one() { # scenario target rep args...
  local scenario=$1 target=$2 rep=$3; shift 3
  local name=$scenario-$target-$rep
  start_server "$target" "$RESULTS/$name.server.log"
  echo "-- $scenario / $target / run $rep"
  timeout 1200 $LOADGEN "$scenario" --url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" --apikey "$KEY" --label "$target" "$@" \
    >"$RESULTS/$name.out" 2>"$RESULTS/$name.err" || echo "   loadgen exited $? (see $RESULTS/$name.err)"
  grep '^{' "$RESULTS/$name.out" | tail -1 >"$RESULTS/$name.json" || true
  sed -n '/^== /,$p' "$RESULTS/$name.out" | grep -v '^{' | sed 's/^/   /' | head -40
  cleanup
}

if [[ $MODE == cluster ]]; then
  # shellcheck source=bench/cluster.sh
  . "$ROOT/bench/cluster.sh"
  exit 0
fi

if [[ $MODE == centrifugo ]]; then
  # Issue 13. Holds /tmp/bench-busy (as cluster does), which timing-sensitive tests elsewhere check.
  BUSY=/tmp/bench-busy
  BUSY_OURS=""
  [[ -e $BUSY ]] || { touch "$BUSY"; BUSY_OURS=1; }
  trap 'cleanup; [[ -z $BUSY_OURS ]] || rm -f "$BUSY"' EXIT INT TERM
  for rep in $(seq 1 "$REPS"); do
    # Alternate which protocol goes first, so neither always runs on a warmer machine.
    if (( rep % 2 == 1 )); then order="native centrifugo"; else order="centrifugo native"; fi
    for target in $order; do
      # shellcheck disable=SC2086
      run_one fanout "$target" "$rep" --protocol "$target" --rep "$rep" $CF_FANOUT
    done
    for target in $order; do
      # shellcheck disable=SC2086
      run_one idle "$target" "$rep" --protocol "$target" --rep "$rep" $CF_IDLE
    done
  done
  MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), .NET SDK $(dotnet --version), open files $(ulimit -n)"
  $LOADGEN centrifugo-report --results "$RESULTS" --machine "$MACHINE" \
    --commands "bench/run.sh centrifugo (REPS=$REPS); fanout: $CF_FANOUT; idle: $CF_IDLE"
  echo "== centrifugo: table in ${RESULTS#$ROOT/}/summary.md (raw JSON beside it); figures and what they mean: bench/notes.md, docs/benchmarks.md"
  exit 0
fi

if [[ $MODE == durable ]]; then
  PGCONN=${BENCH_PGCONN:-$(cat /tmp/pgconn 2>/dev/null || true)}
  PG_SCHEMA=bench_durable
  psql_run() { # sql -> runs it on the database of $PGCONN (its own schema only)
    local host port user password db
    host=$(tr ';' '\n' <<<"$PGCONN" | awk -F= 'tolower($1)=="host" {print $2}')
    port=$(tr ';' '\n' <<<"$PGCONN" | awk -F= 'tolower($1)=="port" {print $2}')
    user=$(tr ';' '\n' <<<"$PGCONN" | awk -F= 'tolower($1)=="username" {print $2}')
    password=$(tr ';' '\n' <<<"$PGCONN" | awk -F= 'tolower($1)=="password" {print $2}')
    db=$(tr ';' '\n' <<<"$PGCONN" | awk -F= 'tolower($1)=="database" {print $2}')
    PGHOST=${host:-127.0.0.1} PGPORT=${port:-5432} PGUSER=$user PGPASSWORD=$password PGDATABASE=$db PGCONNECT_TIMEOUT=10 \
      timeout 30 psql -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"
  }
  cat >"$RESULTS/durable.hocon" <<'HOCON'
notify.namespaces.bench { history-size = 300, history-ttl = 10m }
HOCON
  export NOTIFY_CONFIG=$RESULTS/durable.hocon
  stop_hard() { # the server dies without a word (SIGKILL): the restart finds what the store kept
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  }
  for rep in $(seq 1 "$REPS"); do
    if (( rep % 2 == 1 )); then order="memory sqlite postgres"; else order="postgres sqlite memory"; fi
    for store in $order; do
      name=durable-$store-$rep
      export NOTIFY_PERSISTENCE=$store
      case $store in
        memory) export NOTIFY_PERSISTENCE_CONNECTION="" ;;
        sqlite) mkdir -p "$RESULTS/$name"; export NOTIFY_PERSISTENCE_CONNECTION="Data Source=$RESULTS/$name/notify.db" ;;
        postgres)
          [[ -n $PGCONN ]] || { echo "-- $name: no PostgreSQL connection string (/tmp/pgconn, BENCH_PGCONN); skipped"; continue; }
          # A fresh store: the schema is this benchmark's own, emptied before each run.
          psql_run "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE; CREATE SCHEMA $PG_SCHEMA;" >"$RESULTS/$name-psql.err" 2>&1 \
            || { echo "-- $name: PostgreSQL refused ($(head -1 "$RESULTS/$name-psql.err")); skipped"; continue; }
          export NOTIFY_PERSISTENCE_CONNECTION="$PGCONN;Search Path=$PG_SCHEMA" ;;
      esac
      echo "-- durable / $store / run $rep"
      start_server service "$RESULTS/$name-load.server.log"
      timeout 300 $LOADGEN durable --phase load --url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" --apikey "$KEY" --label "$store" --rep "$rep" $DURABLE \
        >"$RESULTS/$name-load.out" 2>"$RESULTS/$name-load.err" || echo "   loadgen exited $? (see $RESULTS/$name-load.err)"
      grep '^{' "$RESULTS/$name-load.out" | tail -1 >"$RESULTS/$name-load.json" || true
      sleep 2 # the last snapshot and the deletion it allows
      stop_hard
      start_server service "$RESULTS/$name-recover.server.log"
      timeout 120 $LOADGEN durable --phase recover --url "http://127.0.0.1:$PORT" --pid "$SERVER_PID" --apikey "$KEY" --label "$store" --rep "$rep" $DURABLE \
        >"$RESULTS/$name-recover.out" 2>"$RESULTS/$name-recover.err" || echo "   loadgen exited $? (see $RESULTS/$name-recover.err)"
      grep '^{' "$RESULTS/$name-recover.out" | tail -1 >"$RESULTS/$name-recover.json" || true
      cleanup
      # The journal's size for the channel that had 5,000 publications (history-size 300).
      case $store in
        sqlite)
          timeout 30 python3 - "$RESULTS/$name/notify.db" "$store" "$rep" >"$RESULTS/$name-rows.json" <<'PY' || echo "   row count failed"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
q = lambda sql: db.execute(sql, ("bench:bound",)).fetchone()[0]
print(json.dumps({"scenario": "durable-rows", "store": sys.argv[2], "rep": int(sys.argv[3]),
  "journal_rows": q("SELECT count(*) FROM journal WHERE persistence_id = ?"),
  "journal_rows_live": q("SELECT count(*) FROM journal WHERE persistence_id = ? AND deleted = 0"),
  "snapshot_rows": q("SELECT count(*) FROM snapshot WHERE persistence_id = ?")}))
PY
          ;;
        postgres)
          rows=$(psql_run "SELECT (SELECT count(*) FROM $PG_SCHEMA.journal WHERE persistence_id = 'bench:bound') || ',' ||
                                  (SELECT count(*) FROM $PG_SCHEMA.journal WHERE persistence_id = 'bench:bound' AND NOT deleted) || ',' ||
                                  (SELECT count(*) FROM $PG_SCHEMA.snapshot WHERE persistence_id = 'bench:bound');") || rows=""
          IFS=, read -r jr jl sr <<<"$rows"
          [[ -n $rows ]] && echo "{\"scenario\":\"durable-rows\",\"store\":\"$store\",\"rep\":$rep,\"journal_rows\":$jr,\"journal_rows_live\":$jl,\"snapshot_rows\":$sr}" >"$RESULTS/$name-rows.json" \
            || echo "   row count failed"
          ;;
      esac
      for f in load recover rows; do [[ -s $RESULTS/$name-$f.json ]] && sed 's/^/   /' "$RESULTS/$name-$f.json" | cut -c1-400; done
      grep -h -i -E ' (warn|fail|error|crit)' "$RESULTS/$name"-*.server.log | head -5 | sed 's/^/   server: /' || true
    done
  done
  unset NOTIFY_CONFIG NOTIFY_PERSISTENCE NOTIFY_PERSISTENCE_CONNECTION
  MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), PostgreSQL $(psql --version 2>/dev/null | awk '{print $3}')"
  $LOADGEN durable-report --results "$RESULTS" --machine "$MACHINE"
  echo "== durable: table in ${RESULTS#$ROOT/}/summary (raw JSON beside it); figures and verdicts: bench/notes.md"
  exit 0
fi

if [[ $MODE == hostile ]]; then
  for rep in $(seq 1 "$REPS"); do
    # shellcheck disable=SC2086
    run_one hostile service "$rep" $HOSTILE
  done
  echo "== hostile: raw results in ${RESULTS#$ROOT/} (the JSON of each run); figures and what they mean: bench/notes.md"
  exit 0
fi

for scenario in idle fanout churn slow held; do
  case $scenario in
    idle) ARGS=$IDLE ;; fanout) ARGS=$FANOUT ;; churn) ARGS=$CHURN ;; slow) ARGS=$SLOW ;; held) ARGS=$HELD ;;
  esac
  for rep in $(seq 1 "$REPS"); do
    # Alternate which target goes first, so neither always runs on a warmer machine.
    if (( rep % 2 == 1 )); then order="service baseline"; else order="baseline service"; fi
    for target in $order; do
      # shellcheck disable=SC2086
      run_one "$scenario" "$target" "$rep" $ARGS
    done
  done
done

MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), .NET SDK $(dotnet --version), open files $(ulimit -n)"
$LOADGEN report --results "$RESULTS" --mode "$MODE" --machine "$MACHINE" \
  --commands "bench/run.sh $MODE (REPS=$REPS); idle: $IDLE; fanout: $FANOUT; churn: $CHURN; slow: $SLOW; held: $HELD" \
  --notes bench/notes.md --out docs/benchmarks.md --svg docs/benchmarks.svg
echo "== wrote docs/benchmarks.md and docs/benchmarks.svg (raw results in ${RESULTS#$ROOT/})"
