# bench/run.sh cluster (sourced by run.sh after the build; uses its ROOT, RESULTS, REPS, KEY, SERVER_DLL, LOADGEN).
# Issue 12's two cluster figures, each against one node measured in the same run, each REPS times, the order of
# one node and cluster alternating between repetitions; a fresh set of server processes for every run:
#   fan-out:   FANOUT_SUBSCRIBERS (4,000) on one channel, on one node, then split over a cluster of FANOUT_NODES (2);
#              FANOUT_MESSAGES (100) publications at full speed through the server API, spread over the nodes, then
#              80 paced at 8/s (a latency that is not a burst's drain time).
#   broadcast: SINGLE_CONNECTIONS (19,000) on one node, then CLUSTER_CONNECTIONS (100,000) over CLUSTER_NODES (6),
#              all on one channel, one holding load process per node; 5 warm-up broadcasts, then BROADCASTS (10), each to all.
# A smoke run: CLUSTER_CONNECTIONS=600 SINGLE_CONNECTIONS=300 FANOUT_SUBSCRIBERS=400 REPS=1 bench/run.sh cluster
# Every node: NOTIFY_PERSISTENCE=memory (the channels here keep no history; with seeds, sqlite is refused), heartbeats
# out of the way (3600 s, as in the other modes), NOTIFY_CONFIG=$RESULTS/cluster.hocon. While it loads the machine it
# holds /tmp/bench-busy, which timing-sensitive tests elsewhere check.

FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-4000}
FANOUT_NODES=${FANOUT_NODES:-2}
FANOUT_MESSAGES=${FANOUT_MESSAGES:-100}
SINGLE_CONNECTIONS=${SINGLE_CONNECTIONS:-19000}
CLUSTER_CONNECTIONS=${CLUSTER_CONNECTIONS:-100000}
CLUSTER_NODES=${CLUSTER_NODES:-6}
BROADCASTS=${BROADCASTS:-10}
NODE_PORT=${BENCH_CLUSTER_PORT:-18700}   # node i: public NODE_PORT+2i, admin NODE_PORT+2i+1
SEED_PORT=${BENCH_SEED_PORT:-18750}      # the first node's cluster (remoting) port; the others take free ones
BUSY=/tmp/bench-busy

cat >"$RESULTS/cluster.hocon" <<'HOCON'
# bench/run.sh cluster: the limits this benchmark relies on, set here so that a change of the shipped defaults
# cannot silently change what it measures.
notify.limits {
  # The one-node baseline holds 19,000 WebSockets; a cluster node about 16,700.
  max-connections = 19000
  # Every client is anonymous (development profile): not counted per user anyway.
  max-connections-per-user = 0
}
notify.tcp {
  # The open-file limit (20,000) less the descriptors held at start and the reserve: room for 19,000 WebSockets
  # and the publishers' keep-alive connections.
  max-connections = auto
  # A holder process upgrades 64 connections at a time over 127.0.0.2-9; the publisher keeps at most 8 per node.
  max-pending-per-address = 256
}
HOCON

NODE_PIDS=()
NODE_URLS=()
BUSY_OURS=""
stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  NODE_PIDS=()
  NODE_URLS=()
}
cluster_cleanup() {
  stop_nodes
  if [[ -n $BUSY_OURS ]]; then rm -f "$BUSY"; BUSY_OURS=""; fi
}
trap cluster_cleanup EXIT INT TERM

node_ready() { # url members -> 0 when /readyz answers 200 and /metrics shows notify_cluster_members = members
  curl -fs -m 2 -o /dev/null "$1/readyz" 2>/dev/null || return 1
  [[ $(curl -fs -m 2 "$1/metrics" 2>/dev/null | awk '/^notify_cluster_members[{ ]/ {print $NF + 0}') == "$2" ]]
}

start_nodes() { # count log-prefix -> NODE_PIDS, NODE_URLS; count 1 is one node alone (a cluster of one, no seeds)
  local count=$1 prefix=$2 i port seeds cport
  for i in $(seq 0 $((count - 1))); do
    port=$((NODE_PORT + 2 * i))
    if (( count > 1 )); then seeds=127.0.0.1:$SEED_PORT; cport=$(( i == 0 ? SEED_PORT : 0 )); else seeds=""; cport=0; fi
    NOTIFY_PROFILE=development NOTIFY_URLS=http://127.0.0.1:$port NOTIFY_ADMIN_URLS=http://127.0.0.1:$((port + 1)) NOTIFY_API_KEYS=$KEY \
    NOTIFY_HEARTBEAT_INTERVAL=3600 NOTIFY_HEARTBEAT_TIMEOUT=3600 NOTIFY_JWT_SECRET=bench-secret-bench-secret-bench-secret-0 \
    NOTIFY_ADMIN_TOKEN=bench-admin NOTIFY_PERSISTENCE=memory NOTIFY_CONFIG=$RESULTS/cluster.hocon \
    NOTIFY_CLUSTER_HOST=127.0.0.1 NOTIFY_CLUSTER_PORT=$cport NOTIFY_CLUSTER_SEEDS=$seeds \
      dotnet "$SERVER_DLL" >"$prefix-node$i.log" 2>&1 &
    NODE_PIDS+=("$!")
    NODE_URLS+=("http://127.0.0.1:$port")
    # The others join through the first: start them once it answers, so that they do not spend their start retrying.
    if (( i == 0 && count > 1 )); then
      for _ in $(seq 1 240); do
        curl -fs -m 2 -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
        kill -0 "${NODE_PIDS[0]}" 2>/dev/null || { echo "   node 0 died, see $prefix-node0.log" >&2; return 1; }
        sleep 0.25
      done
    fi
  done
  local waited=0
  for i in $(seq 0 $((count - 1))); do
    until node_ready "${NODE_URLS[$i]}" "$count"; do
      kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || { echo "   node $i died, see $prefix-node$i.log" >&2; return 1; }
      (( waited++ < 480 )) || { echo "   node $i not ready with $count members after 120 s, see $prefix-node$i.log" >&2; return 1; }
      sleep 0.25
    done
  done
}

cluster_run() { # scenario target rep node-count loadgen-args...
  local scenario=$1 target=$2 rep=$3 count=$4; shift 4
  local name=cluster-$scenario-$target-$rep
  echo "-- $scenario / $target ($count nodes) / run $rep"
  if start_nodes "$count" "$RESULTS/$name"; then
    timeout 1200 $LOADGEN "cluster-$scenario" --urls "$(IFS=,; echo "${NODE_URLS[*]}")" --pids "$(IFS=,; echo "${NODE_PIDS[*]}")" \
      --apikey "$KEY" --label "$target" --rep "$rep" "$@" >"$RESULTS/$name.out" 2>"$RESULTS/$name.err" \
      || echo "   loadgen exited $? (see $RESULTS/$name.err)"
    grep '^{' "$RESULTS/$name.out" | tail -1 >"$RESULTS/$name.json" || true
    sed -n '/^== /,$p' "$RESULTS/$name.out" | grep -v '^{' | sed 's/^/   /' | head -60
    grep -h -i -E ' (warn|fail|error|crit)' "$RESULTS/$name"-node*.log | sort | uniq -c | sort -rn | head -5 | sed 's/^/   server: /' || true
  fi
  stop_nodes
}

[[ -e $BUSY ]] || { touch "$BUSY"; BUSY_OURS=1; }
FANOUT_ARGS="--subscribers $FANOUT_SUBSCRIBERS --warmup 50 --messages $FANOUT_MESSAGES --pub-inflight 8 --paced-messages 80 --rate 8 --limit 300"
for rep in $(seq 1 "$REPS"); do
  # Alternate which goes first, so that neither always runs on a warmer machine.
  if (( rep % 2 == 1 )); then order="single cluster"; else order="cluster single"; fi
  for target in $order; do
    # shellcheck disable=SC2086
    if [[ $target == single ]]; then cluster_run fanout single "$rep" 1 $FANOUT_ARGS; else cluster_run fanout cluster "$rep" "$FANOUT_NODES" $FANOUT_ARGS; fi
  done
  for target in $order; do
    if [[ $target == single ]]; then
      cluster_run broadcast single "$rep" 1 --n "$SINGLE_CONNECTIONS" --warmup 5 --messages "$BROADCASTS" --settle 5 --limit 600
    else
      cluster_run broadcast cluster "$rep" "$CLUSTER_NODES" --n "$CLUSTER_CONNECTIONS" --warmup 5 --messages "$BROADCASTS" --settle 5 --limit 600
    fi
  done
done
cluster_cleanup

MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), open files $(ulimit -n)"
$LOADGEN cluster-report --results "$RESULTS" --machine "$MACHINE"
echo "== cluster: table in ${RESULTS#$ROOT/}/summary.md (raw JSON beside it); figures and what they mean: docs/benchmarks.md, bench/notes.md"
