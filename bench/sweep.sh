#!/usr/bin/env bash
# How cost grows: benchmark sweeps of Swift taskiq (taskiq-run bench, release build) beside Python
# taskiq 0.13 (bench/python), median of RUNS runs per point.
#
#   bash bench/sweep.sh                        # every sweep: payload workers openloop depth
#   bash bench/sweep.sh payload depth          # some of them (or SWEEP="payload depth")
#   RUNS=1 SCALE=0.1 bash bench/sweep.sh       # a quick look: one run, a tenth of the tasks
#
# - payload: 100 B, 10 KiB, 1 MiB on in-memory, ZeroMQ (Swift push_pull, Python pub_sub) and Redis
#   streams + results; tasks/s and MB/s.
# - workers: 1 and 2 worker processes on one Redis.
# - openloop: each side's closed-loop maximum first, then open-loop runs at 25, 50 and 90% of it
#   (DURATION seconds of schedule each); p50/p99/p99.9 from each task's due time.
# - depth: tasks queued in Redis with no worker running (SWIFT_DEPTHS, PYTHON_DEPTHS), Redis
#   used_memory, then the drain rate and the workers' peak RSS. The largest Swift depth runs once.
#
# Writes bench/results/<sweep>.json (conditions, every point with each side's medians and raw runs,
# the charts' series) and bench/charts/<sweep>.svg (taskiq-run bench chart). Needs redis-server: a
# private one on a free loopback port, flushed before every run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-3}
SCALE=${SCALE:-1}
DURATION=${DURATION:-2}
SWIFT_DEPTHS=${SWIFT_DEPTHS:-10000 100000 1000000}
PYTHON_DEPTHS=${PYTHON_DEPTHS:-10000 30000}
read -r -a SWEEPS <<<"${*:-${SWEEP:-payload workers openloop depth}}"
RAW=$(mktemp -d)
trap 'rm -rf "$RAW"; [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true' EXIT

n() { python3 -c "print(max(${2:-1}, int($1 * $SCALE)))"; }

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import taskiq, taskiq_redis, zmq' 2>/dev/null; then
    bash scripts/install-peers.sh
fi
command -v redis-server >/dev/null || { echo "sweep.sh needs redis-server (scripts/install-peers.sh)" >&2; exit 1; }
PY="$ROOT/.venv/bin/python"
echo "building release (swift build -c release)" >&2
swift build -c release >&2
SWIFT="$ROOT/.build/release/taskiq-run"
mkdir -p bench/results bench/charts

REDIS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
REDIS_PID=$!
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
export BENCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" TASKIQ_BENCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

# point SWEEP GROUP X SIDE COMMAND...: RUNS runs, each one JSON line in $RAW/SWEEP/GROUP@X.SIDE
point() {
    local sweep=$1 group=$2 x=$3 side=$4; shift 4
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

sweep_payload() {
    for p in 100 10240 1048576; do
        # Fewer tasks as they grow: a 1 MiB run moves as many bytes as 10,000 runs of 100 B.
        local f; case $p in 100) f=1 ;; 10240) f=0.2 ;; *) f=0.01 ;; esac
        point payload inmemory "$p" swift "$SWIFT" bench -c bench/configs/inmemory.json -n "$(n "50000 * $f" 50)" --payload "$p"
        point payload inmemory "$p" python "$PY" bench/python/bench_inmemory.py -n "$(n "20000 * $f" 50)" --payload "$p"
        point payload zeromq "$p" swift "$SWIFT" bench -c bench/configs/zeromq-push-pull.json -n "$(n "100000 * $f" 50)" --payload "$p"
        point payload zeromq "$p" python "$PY" bench/python/bench_worker_broker.py zmq -n "$(n "20000 * $f" 50)" --payload "$p"
        point payload redis "$p" swift "$SWIFT" bench -c bench/configs/redis.json -n "$(n "20000 * $f" 50)" --payload "$p"
        point payload redis "$p" python "$PY" bench/python/bench_worker_broker.py redis -n "$(n "3000 * $f" 50)" --payload "$p"
    done
}

sweep_workers() {
    for w in 1 2; do
        point workers redis "$w" swift "$SWIFT" bench -c bench/configs/redis.json -n "$(n 30000)" --workers "$w"
        point workers redis "$w" python "$PY" bench/python/bench_worker_broker.py redis -n "$(n 4000)" --workers "$w"
    done
}

sweep_openloop() {
    local broker side max rate
    for broker in inmemory redis; do
        for side in swift python; do
            local cmd
            case $broker.$side in
                inmemory.swift) cmd=("$SWIFT" bench -c bench/configs/inmemory-open-loop.json) ;;
                inmemory.python) cmd=("$PY" bench/python/bench_inmemory.py) ;;
                redis.swift) cmd=("$SWIFT" bench -c bench/configs/redis.json) ;;
                redis.python) cmd=("$PY" bench/python/bench_worker_broker.py redis) ;;
            esac
            local closed; case $broker.$side in inmemory.swift) closed=100000 ;; inmemory.python) closed=20000 ;;
                redis.swift) closed=30000 ;; redis.python) closed=4000 ;; esac
            point openloop "$broker" max "$side" "${cmd[@]}" -n "$(n $closed)"
            max=$(median "$RAW/openloop/$broker@max.$side" tasks_per_s)
            for pct in 25 50 90; do
                rate=$(python3 -c "print(round($max * $pct / 100, 1))")
                [ "$rate" = "0.0" ] && continue
                point openloop "$broker" "$pct" "$side" "${cmd[@]}" --mode open-loop --rate "$rate" \
                    -n "$(python3 -c "print(max(200, int($rate * $DURATION)))")"
            done
        done
    done
}

sweep_depth() {
    local largest=${SWIFT_DEPTHS##* } d
    for d in $SWIFT_DEPTHS; do
        if [ "$d" = "$largest" ]; then
            RUNS=1 point depth redis "$(n "$d")" swift "$SWIFT" bench -c bench/configs/redis.json --mode depth -n "$(n "$d")"
        else
            point depth redis "$(n "$d")" swift "$SWIFT" bench -c bench/configs/redis.json --mode depth -n "$(n "$d")"
        fi
    done
    for d in $PYTHON_DEPTHS; do
        point depth redis "$(n "$d")" python "$PY" bench/python/bench_worker_broker.py redis --mode depth -n "$(n "$d")"
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
    echo "wrote bench/results/$sweep.json and bench/charts/$sweep.svg" >&2
done
if [ -s "$RAW/stderr" ]; then
    echo "stderr of the runs (last 20 lines):" >&2
    tail -20 "$RAW/stderr" >&2
fi
