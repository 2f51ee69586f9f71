#!/usr/bin/env bash
# How cost grows: benchmark sweeps of Swift taskiq (taskiq-run bench, release build) beside Python
# taskiq 0.13 (bench/python), median of RUNS runs per point.
#
#   bash bench/sweep.sh                        # every sweep: payload workers openloop depth
#   bash bench/sweep.sh payload depth          # some of them (or SWEEP="payload depth")
#   RUNS=1 SCALE=0.1 bash bench/sweep.sh       # a quick look: one run, a tenth of the tasks
#
# Brokers (BROKERS, all by default): inmemory, zeromq (Swift push_pull, Python pub_sub), redis (streams
# + Redis results), rabbitmq (quorum queue + Redis results; Python taskiq-aio-pika), nats (core, queue
# group) and nats_jetstream (pull, work-queue stream; Python taskiq-nats). ZeroMQ and NATS carry no
# results (the workers' counts), except in open-loop, which needs results the producer sees: Redis
# results on both sides there. Each sweep runs the brokers it applies to:
# - payload: 100 B, 10 KiB, 1 MiB on every broker; tasks/s and MB/s.
# - workers: 1 and 2 worker processes on every broker that has worker processes (Swift only on
#   ZeroMQ: Python's PUB/SUB gives a second worker every task again).
# - openloop: each side's closed-loop maximum first, then open-loop runs at 25, 50 and 90% of it
#   (DURATION seconds of schedule each); p50/p99/p99.9 from each task's due time. Every broker.
# - depth: tasks queued with no worker running (Redis: SWIFT_DEPTHS, PYTHON_DEPTHS; RabbitMQ and
#   JetStream: SWIFT_QUEUE_DEPTHS, PYTHON_QUEUE_DEPTHS), the broker's memory (Redis used_memory; the
#   server process's resident memory for the others, --broker-pid), then the drain rate and the
#   workers' peak RSS. The largest Swift depth runs once.
#
# Writes bench/results/<sweep>.json (conditions, every point with each side's medians and raw runs,
# the charts' series) and bench/charts/<sweep>.svg (taskiq-run bench chart), copied into
# Sources/Taskiq/Taskiq.docc/Resources for the Benchmarks article. Starts private servers
# on free loopback ports (bench/servers.sh): redis-server (flushed before every run), and, when a
# chosen broker needs them, rabbitmq-server and nats-server (JetStream, max_payload 8MB for the 1 MiB
# payloads). A missing server is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-3}
SCALE=${SCALE:-1}
DURATION=${DURATION:-2}
SWIFT_DEPTHS=${SWIFT_DEPTHS:-10000 100000 1000000}
PYTHON_DEPTHS=${PYTHON_DEPTHS:-10000 30000}
SWIFT_QUEUE_DEPTHS=${SWIFT_QUEUE_DEPTHS:-10000 100000}
PYTHON_QUEUE_DEPTHS=${PYTHON_QUEUE_DEPTHS:-10000}
read -r -a SWEEPS <<<"${*:-${SWEEP:-payload workers openloop depth}}"
read -r -a CHOSEN <<<"${BROKERS:-inmemory zeromq redis rabbitmq nats nats_jetstream}"
RAW=$(mktemp -d)
source bench/servers.sh
trap 'rm -rf "$RAW"; stop_servers' EXIT

# chosen BROKER: whether BROKERS includes it
chosen() { case " ${CHOSEN[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

n() { python3 -c "print(max(${2:-1}, int($1 * $SCALE)))"; }

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import taskiq, taskiq_redis, zmq' 2>/dev/null; then
    bash scripts/install-peers.sh
fi
command -v redis-server >/dev/null || { echo "sweep.sh needs redis-server (scripts/install-peers.sh)" >&2; exit 1; }
if chosen rabbitmq && [ ! -x "$RABBITMQ_BIN" ]; then
    echo "sweep.sh needs rabbitmq-server for the rabbitmq broker (scripts/install-peers.sh, or BROKERS=...)" >&2; exit 1
fi
if { chosen nats || chosen nats_jetstream; } && ! command -v nats-server >/dev/null; then
    echo "sweep.sh needs nats-server for the NATS brokers (scripts/install-peers.sh, or BROKERS=...)" >&2; exit 1
fi
PY="$ROOT/.venv/bin/python"
echo "building release (swift build -c release)" >&2
swift build -c release >&2
SWIFT="$ROOT/.build/release/taskiq-run"
mkdir -p bench/results bench/charts

start_redis
if chosen rabbitmq; then echo "starting rabbitmq-server" >&2; start_rabbitmq; fi
if chosen nats || chosen nats_jetstream; then start_nats 8MB; fi

# point SWEEP GROUP X SIDE COMMAND...: RUNS runs, each one JSON line in $RAW/SWEEP/GROUP@X.SIDE
point() {
    local sweep=$1 group=$2 x=$3 side=$4; shift 4
    chosen "$group" || return 0
    mkdir -p "$RAW/$sweep"
    printf '%s\t%s\n' "$group" "$x" >>"$RAW/$sweep/points"
    for i in $(seq "$RUNS"); do
        echo "$(date +%T) $sweep $group x=$x [$side] run $i/$RUNS" >&2
        redis-cli -p "$REDIS_PORT" flushall >/dev/null
        if ! timeout 900 "$@" --json >>"$RAW/$sweep/$group@$x.$side" 2>>"$RAW/stderr"; then
            echo '{"failed": true}' >>"$RAW/$sweep/$group@$x.$side"
        fi
    done
}

# median FILE KEY: the median of KEY over the runs that did not fail
median() {
    python3 - "$1" "$2" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
values = [row[sys.argv[2]] for row in rows if not row.get("failed") and row.get(sys.argv[2]) is not None]
print(statistics.median(values) if values else 0)
PY
}

# The commands of one broker and side; closed-loop task counts are the callers'.
command_of() {
    case $1.$2 in
        inmemory.swift) CMD=("$SWIFT" bench -c bench/configs/inmemory.json) ;;
        inmemory.python) CMD=("$PY" bench/python/bench_inmemory.py) ;;
        zeromq.swift) CMD=("$SWIFT" bench -c bench/configs/zeromq-push-pull.json) ;;
        zeromq.python) CMD=("$PY" bench/python/bench_worker_broker.py zmq) ;;
        redis.swift) CMD=("$SWIFT" bench -c bench/configs/redis.json) ;;
        redis.python) CMD=("$PY" bench/python/bench_worker_broker.py redis) ;;
        rabbitmq.swift) CMD=("$SWIFT" bench -c bench/configs/rabbitmq.json) ;;
        rabbitmq.python) CMD=("$PY" bench/python/bench_worker_broker.py rabbitmq) ;;
        nats.swift) CMD=("$SWIFT" bench -c bench/configs/nats.json) ;;
        nats.python) CMD=("$PY" bench/python/bench_worker_broker.py nats) ;;
        # JetStream kicks wait for their PubAck: more producers in flight, as in compare.sh.
        nats_jetstream.swift) CMD=("$SWIFT" bench -c bench/configs/nats-jetstream.json --concurrency 256) ;;
        nats_jetstream.python) CMD=("$PY" bench/python/bench_worker_broker.py nats_jetstream) ;;
        # Open-loop: 100,000 results kept, as the Python script does, so a backlog cannot evict
        # results before they are read.
        inmemory_results.swift) CMD=("$SWIFT" bench -c bench/configs/inmemory-open-loop.json) ;;
        inmemory_results.python) CMD=("$PY" bench/python/bench_inmemory.py) ;;
        # Open-loop needs results the producer sees: Redis results on both sides.
        zeromq_results.swift) CMD=("$SWIFT" bench -c bench/configs/zeromq-push-pull-results.json) ;;
        zeromq_results.python) CMD=(env BENCH_RESULTS=redis "$PY" bench/python/bench_worker_broker.py zmq) ;;
        nats_results.swift) CMD=("$SWIFT" bench -c bench/configs/nats-results.json) ;;
        nats_results.python) CMD=(env BENCH_RESULTS=redis "$PY" bench/python/bench_worker_broker.py nats) ;;
        nats_jetstream_results.swift) CMD=("$SWIFT" bench -c bench/configs/nats-jetstream-results.json) ;;
        nats_jetstream_results.python) CMD=(env BENCH_RESULTS=redis "$PY" bench/python/bench_worker_broker.py nats_jetstream) ;;
    esac
}

sweep_payload() {
    local p f broker side count
    for p in 100 10240 1048576; do
        # Fewer tasks as they grow: a 1 MiB run moves as many bytes as 10,000 runs of 100 B.
        case $p in 100) f=1 ;; 10240) f=0.2 ;; *) f=0.01 ;; esac
        for broker in inmemory zeromq redis rabbitmq nats nats_jetstream; do
            for side in swift python; do
                case $broker.$side in
                    zeromq.swift | nats.swift | nats_jetstream.swift) count=100000 ;;
                    inmemory.swift) count=50000 ;;
                    inmemory.python | zeromq.python | nats.python | redis.swift | rabbitmq.swift) count=20000 ;;
                    nats_jetstream.python) count=10000 ;;
                    redis.python) count=3000 ;;
                    rabbitmq.python) count=2000 ;;
                esac
                command_of $broker $side
                point payload $broker "$p" $side "${CMD[@]}" -n "$(n "$count * $f" 50)" --payload "$p"
            done
        done
    done
}

sweep_workers() {
    local w broker side count
    for w in 1 2; do
        for broker in zeromq redis rabbitmq nats nats_jetstream; do
            for side in swift python; do
                case $broker.$side in
                    # Python's ZeroMQ broker is PUB/SUB: a second worker process gets every task again.
                    zeromq.python) continue ;;
                    redis.swift | rabbitmq.swift) count=30000 ;;
                    zeromq.swift | nats.swift | nats_jetstream.swift) count=100000 ;;
                    nats.python) count=20000 ;;
                    redis.python | nats_jetstream.python) count=4000 ;;
                    rabbitmq.python) count=2000 ;;
                esac
                command_of $broker $side
                point workers $broker "$w" $side "${CMD[@]}" -n "$(n $count)" --workers "$w"
            done
        done
    done
}

sweep_openloop() {
    local broker side max rate closed pct
    for broker in inmemory zeromq redis rabbitmq nats nats_jetstream; do
        chosen $broker || continue
        for side in swift python; do
            case $broker.$side in
                inmemory.swift) closed=100000 ;;
                inmemory.python | nats_jetstream.swift) closed=20000 ;;
                zeromq.swift | nats.swift | redis.swift | rabbitmq.swift) closed=30000 ;;
                zeromq.python | nats.python | redis.python | nats_jetstream.python) closed=4000 ;;
                rabbitmq.python) closed=2000 ;;
            esac
            case $broker in redis | rabbitmq) command_of $broker $side ;; *) command_of ${broker}_results $side ;; esac
            point openloop "$broker" max "$side" "${CMD[@]}" -n "$(n $closed)"
            max=$(median "$RAW/openloop/$broker@max.$side" tasks_per_s)
            for pct in 25 50 90; do
                rate=$(python3 -c "print(round($max * $pct / 100, 1))")
                [ "$rate" = "0.0" ] && continue
                point openloop "$broker" "$pct" "$side" "${CMD[@]}" --mode open-loop --rate "$rate" \
                    -n "$(python3 -c "print(max(200, int($rate * $DURATION)))")"
            done
        done
    done
}

# depth_point BROKER SIDE DEPTHS...: the largest Swift depth runs once
depth_point() {
    local broker=$1 side=$2; shift 2
    local largest=${*: -1} d runs pid=()
    command_of $broker $side
    case $broker in rabbitmq) pid=(--broker-pid "$RABBITMQ_SERVER_PID") ;; nats_jetstream) pid=(--broker-pid "$NATS_PID") ;; esac
    for d in "$@"; do
        runs=$RUNS
        [ $side = swift ] && [ "$d" = "$largest" ] && runs=1
        RUNS=$runs point depth $broker "$(n "$d")" $side "${CMD[@]}" --mode depth -n "$(n "$d")" "${pid[@]}"
    done
}

sweep_depth() {
    depth_point redis swift $SWIFT_DEPTHS
    depth_point redis python $PYTHON_DEPTHS
    local broker
    for broker in rabbitmq nats_jetstream; do
        chosen $broker || continue
        depth_point $broker swift $SWIFT_QUEUE_DEPTHS
        depth_point $broker python $PYTHON_QUEUE_DEPTHS
    done
}

for sweep in "${SWEEPS[@]}"; do
    case $sweep in payload|workers|openloop|depth) ;; *) echo "unknown sweep '$sweep'" >&2; exit 2 ;; esac
    LOAD_BEFORE=$(uptime)
    STARTED=$(date -u +%FT%TZ)
    "sweep_$sweep"
    LOAD_AFTER=$(uptime)
    python3 bench/sweep_results.py "$sweep" "$RAW/$sweep" "bench/results/$sweep.json" \
        --started "$STARTED" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" \
        --runs "$RUNS" --scale "$SCALE" --duration "$DURATION" --commit "$(git rev-parse --short HEAD)"
    "$SWIFT" bench chart --input "bench/results/$sweep.json" --output "bench/charts/$sweep.svg"
    # The Taskiq documentation's Benchmarks article shows the same charts.
    cp "bench/charts/$sweep.svg" "Sources/Taskiq/Taskiq.docc/Resources/$sweep.svg"
    echo "wrote bench/results/$sweep.json, bench/charts/$sweep.svg and its copy in Taskiq.docc/Resources" >&2
done
if [ -s "$RAW/stderr" ]; then
    echo "stderr of the runs (last 20 lines):" >&2
    tail -20 "$RAW/stderr" >&2
fi
