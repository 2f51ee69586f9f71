#!/usr/bin/env bash
# Runs the same workloads on Swift taskiq (taskiq-run bench, release build) and Python taskiq 0.13
# (bench/python), median of RUNS runs each, and prints a table with the Swift/Python ratio.
#
#   bash bench/compare.sh            # every scenario
#   RUNS=1 SCALE=0.1 bash bench/compare.sh   # a quick look: one run, a tenth of the tasks
#   REDIS_TASKS=50000 bash bench/compare.sh  # the issue's Redis size for Python too (minutes per run)
#   BENCH_ONLY=rabbitmq bash bench/compare.sh  # only the scenarios whose name starts so
#   BENCH_ONLY=nats bash bench/compare.sh      # the NATS scenarios (core and JetStream) only
#
# Installs the Python side into .venv when missing (scripts/install-peers.sh). The Redis scenarios
# start a private redis-server on a free loopback port (Swift: 50k tasks, SWIFT_REDIS_TASKS; Python:
# 10k, REDIS_TASKS) and are skipped when redis-server is not installed. The same scenarios then run
# over TLS (bench/configs/redis-tls.json) against a second redis-server that speaks only TLS, with a
# private CA and server certificate (RSA 2048) made here by `openssl`; both sides get the one URL
# `rediss://…?ssl_cert_reqs=required&ssl_ca_certs=…`. BENCH_TLS=0 skips them. The RabbitMQ
# scenarios start a private rabbitmq-server node (Swift: 50k tasks, SWIFT_RABBITMQ_TASKS; Python
# taskiq-aio-pika: 10k, RABBITMQ_TASKS), each side on its own quorum queue with results in the
# private Redis; BENCH_RABBITMQ=0 skips them. The NATS scenarios start a private nats-server with
# JetStream (Swift: 200k tasks, SWIFT_NATS_TASKS; Python taskiq-nats: 20k, NATS_TASKS): core NATS with
# a queue group, and the JetStream pull broker on a work-queue stream (Python with pull batch 100 and
# a 0.2 s fetch timeout), no results on either side; BENCH_NATS=0 skips them. The servers come from
# bench/servers.sh, as in bench/sweep.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-3}
SCALE=${SCALE:-1}
RESULTS=$(mktemp -d)
source bench/servers.sh
trap 'rm -rf "$RESULTS"; if [ -n "${REDIS_TLS_PID:-}" ]; then kill "$REDIS_TLS_PID" 2>/dev/null; fi; stop_servers' EXIT

n() { python3 -c "print(max(1, int($1 * $SCALE)))"; }

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import taskiq, taskiq_redis, zmq' 2>/dev/null; then
    bash scripts/install-peers.sh
fi
PY="$ROOT/.venv/bin/python"
echo "building release (swift build -c release)" >&2
swift build -c release >&2
SWIFT="$ROOT/.build/release/taskiq-run"

# run NAME SIDE COMMAND...: RUNS runs, each one JSON line appended to $RESULTS/NAME.SIDE
run() {
    local name=$1 side=$2; shift 2
    case "$name" in ${BENCH_ONLY:-*}*) ;; *) return 0 ;; esac
    for i in $(seq "$RUNS"); do
        echo "$name [$side] run $i/$RUNS" >&2
        if ! "$@" --json >>"$RESULTS/$name.$side" 2>>"$RESULTS/stderr"; then
            echo '{"failed": true}' >>"$RESULTS/$name.$side"
        fi
    done
}

run inmemory_throughput swift "$SWIFT" bench -c bench/configs/inmemory.json -n "$(n 100000)" --concurrency 64
run inmemory_throughput python "$PY" bench/python/bench_inmemory.py -n "$(n 100000)" --concurrency 64
run inmemory_latency swift "$SWIFT" bench -c bench/configs/inmemory.json -n "$(n 20000)" --mode latency
run inmemory_latency python "$PY" bench/python/bench_inmemory.py -n "$(n 20000)" --mode latency
run zeromq swift "$SWIFT" bench -c bench/configs/zeromq-push-pull.json -n "$(n 200000)" --concurrency 64
run zeromq python "$PY" bench/python/bench_worker_broker.py zmq -n "$(n 200000)" --concurrency 64

if command -v redis-server >/dev/null 2>&1; then
    # A private redis-server on a free loopback port, shared by both sides (each uses its own stream).
    start_redis
    run redis_throughput swift "$SWIFT" bench -c bench/configs/redis.json -n "$(n ${SWIFT_REDIS_TASKS:-50000})" --concurrency 64
    run redis_throughput python "$PY" bench/python/bench_worker_broker.py redis -n "$(n ${REDIS_TASKS:-10000})" --concurrency 64
    run redis_latency swift "$SWIFT" bench -c bench/configs/redis.json -n "$(n 2000)" --mode latency
    run redis_latency python "$PY" bench/python/bench_worker_broker.py redis -n "$(n 2000)" --mode latency
    stop_redis

    if [ "${BENCH_TLS:-1}" != 0 ] && command -v openssl >/dev/null 2>&1; then
        # A private CA and a server certificate for 127.0.0.1, then a redis-server speaking only TLS.
        CERTS="$RESULTS/tls"; mkdir -p "$CERTS"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=taskiq-bench-ca -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$CERTS/server.key" -out "$CERTS/server.csr" 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$CERTS/server.ext"
        openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" -CAcreateserial -days 2 \
            -extfile "$CERTS/server.ext" -out "$CERTS/server.pem" 2>/dev/null
        TLS_PORT=$(free_port)
        redis-server --port 0 --tls-port "$TLS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
            --tls-cert-file "$CERTS/server.pem" --tls-key-file "$CERTS/server.key" --tls-ca-cert-file "$CERTS/ca.pem" \
            --tls-auth-clients no >/dev/null &
        REDIS_TLS_PID=$!
        for _ in $(seq 50); do
            redis-cli --tls --cacert "$CERTS/ca.pem" -p "$TLS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1
        done
        TLS_URL="rediss://127.0.0.1:$TLS_PORT?ssl_cert_reqs=required&ssl_ca_certs=$CERTS/ca.pem"
        export BENCH_REDIS_URL="$TLS_URL" TASKIQ_BENCH_REDIS_TLS_URL="$TLS_URL"
        run redis_tls_throughput swift "$SWIFT" bench -c bench/configs/redis-tls.json -n "$(n ${SWIFT_REDIS_TASKS:-50000})" --concurrency 64
        run redis_tls_throughput python "$PY" bench/python/bench_worker_broker.py redis -n "$(n ${REDIS_TASKS:-10000})" --concurrency 64
        run redis_tls_latency swift "$SWIFT" bench -c bench/configs/redis-tls.json -n "$(n 2000)" --mode latency
        run redis_tls_latency python "$PY" bench/python/bench_worker_broker.py redis -n "$(n 2000)" --mode latency
        kill "$REDIS_TLS_PID"; REDIS_TLS_PID=
    else
        echo "BENCH_TLS=0 or openssl is not installed: skipping the Redis over TLS scenarios" >&2
    fi
else
    echo "redis-server is not installed: skipping the Redis scenarios" >&2
fi

if command -v redis-server >/dev/null 2>&1 && [ -x "$RABBITMQ_BIN" ] && [ "${BENCH_RABBITMQ:-1}" != 0 ]; then
    # A private rabbitmq-server node (a plain process in a temp dir, its own ports), shared by both
    # sides, each on its own exchange and quorum queue; results in a private Redis for both.
    start_redis
    start_rabbitmq
    run rabbitmq_throughput swift "$SWIFT" bench -c bench/configs/rabbitmq.json -n "$(n ${SWIFT_RABBITMQ_TASKS:-50000})" --concurrency 64
    run rabbitmq_throughput python "$PY" bench/python/bench_worker_broker.py rabbitmq -n "$(n ${RABBITMQ_TASKS:-10000})" --concurrency 64
    run rabbitmq_latency swift "$SWIFT" bench -c bench/configs/rabbitmq.json -n "$(n 2000)" --mode latency
    run rabbitmq_latency python "$PY" bench/python/bench_worker_broker.py rabbitmq -n "$(n 2000)" --mode latency
    stop_rabbitmq
    stop_redis
else
    echo "redis-server or rabbitmq-server is not installed (or BENCH_RABBITMQ=0): skipping the RabbitMQ scenarios" >&2
fi

if command -v nats-server >/dev/null 2>&1 && [ "${BENCH_NATS:-1}" != 0 ]; then
    # A private nats-server with JetStream (file store in a temp dir) on a free loopback port, shared
    # by both sides, each on its own subject, stream and consumer; no results (the workers' counts).
    start_nats
    run nats_core swift "$SWIFT" bench -c bench/configs/nats.json -n "$(n ${SWIFT_NATS_TASKS:-200000})" --concurrency 64
    run nats_core python "$PY" bench/python/bench_worker_broker.py nats -n "$(n ${NATS_TASKS:-20000})" --concurrency 64
    run nats_jetstream swift "$SWIFT" bench -c bench/configs/nats-jetstream.json -n "$(n ${SWIFT_NATS_TASKS:-200000})" --concurrency 512
    run nats_jetstream python "$PY" bench/python/bench_worker_broker.py nats_jetstream -n "$(n ${NATS_TASKS:-20000})" --concurrency 64
    stop_nats
else
    echo "nats-server is not installed (or BENCH_NATS=0): skipping the NATS scenarios" >&2
fi

# Idle worker RSS: start a worker, let it settle, read VmRSS of the process that runs tasks.
idle_rss() {  # side command...
    local side=$1; shift
    "$@" >/dev/null 2>&1 &
    local pid=$!
    sleep 3
    local target=$pid child
    child=$(pgrep -P "$pid" | head -1 || true)
    [ "$side" = python ] && [ -n "$child" ] && target=$child
    local kb
    kb=$(awk '/VmRSS/ {print $2}' "/proc/$target/status" 2>/dev/null || echo 0)
    kill -TERM "$pid" 2>/dev/null || true
    sleep 1
    kill -KILL -- "$pid" ${child:+"$child"} 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "{\"idle_rss_mb\": $(python3 -c "print(round($kb / 1024, 1))")}" >>"$RESULTS/idle_rss.$side"
}
for i in $(seq "$RUNS"); do
    case idle_rss in ${BENCH_ONLY:-*}*) ;; *) break ;; esac
    idle_rss swift "$SWIFT" worker -c bench/configs/zeromq-push-pull.json
    (cd bench/python && export BENCH_BROKER=zmq && idle_rss python "$PY" -m taskiq worker bench_tasks:broker -w 1)
done

python3 - "$RESULTS" <<'PY'
import json, os, statistics, sys
results = sys.argv[1]

def load(name, side):
    path = os.path.join(results, f"{name}.{side}")
    if not os.path.exists(path):
        return None
    rows = [json.loads(line) for line in open(path) if line.strip()]
    rows = [row for row in rows if not row.get("failed")]
    return rows or None

def median(rows, key):
    values = [row[key] for row in rows or [] if row.get(key) is not None]
    return statistics.median(values) if values else None

scenarios = [
    ("in-memory, results awaited", "inmemory_throughput", "tasks_per_s", "tasks/s", True),
    ("in-memory sequential", "inmemory_latency", "p50_ms", "p50 ms", False),
    ("ZeroMQ, 1 worker (Swift push_pull, Python pub_sub)", "zeromq", "tasks_per_s", "tasks/s", True),
    ("ZeroMQ drops", "zeromq", "drops", "tasks", False),
    ("Redis stream + results, 1 worker", "redis_throughput", "tasks_per_s", "tasks/s", True),
    ("Redis kick->result", "redis_latency", "p50_ms", "p50 ms", False),
    ("Redis over TLS, stream + results, 1 worker", "redis_tls_throughput", "tasks_per_s", "tasks/s", True),
    ("Redis over TLS, kick->result", "redis_tls_latency", "p50_ms", "p50 ms", False),
    ("RabbitMQ quorum queue + Redis results, 1 worker", "rabbitmq_throughput", "tasks_per_s", "tasks/s", True),
    ("RabbitMQ kick->result", "rabbitmq_latency", "p50_ms", "p50 ms", False),
    ("NATS core, queue group, 1 worker (no results)", "nats_core", "tasks_per_s", "tasks/s", True),
    ("NATS core drops", "nats_core", "drops", "tasks", False),
    ("NATS JetStream pull, workqueue, 1 worker (no results)", "nats_jetstream", "tasks_per_s", "tasks/s", True),
    ("worker idle RSS", "idle_rss", "idle_rss_mb", "MiB", False),
]
print(f"{'scenario':52} {'metric':8} {'swift':>12} {'python':>12} {'swift/python':>13}")
for title, name, key, unit, higher_better in scenarios:
    swift, python = median(load(name, "swift"), key), median(load(name, "python"), key)
    def fmt(v):
        if v is None:
            return "n/a"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.4g}"
    ratio = f"{swift / python:.2f}x" if swift is not None and python else "n/a"
    print(f"{title:52} {unit:8} {fmt(swift):>12} {fmt(python):>12} {ratio:>13}")
print(f"(median of the runs; ratio > 1 is better for tasks/s, < 1 is better for latency, drops and RSS)")

# The cost of TLS: each side over TLS against itself over plain TCP.
pairs = [("Redis stream + results, 1 worker", "redis_throughput", "redis_tls_throughput", "tasks_per_s", "tasks/s"),
         ("Redis kick->result", "redis_latency", "redis_tls_latency", "p50_ms", "p50 ms")]
if any(load(tls, "swift") or load(tls, "python") for _, _, tls, _, _ in pairs):
    print()
    print(f"{'TLS cost':36} {'metric':8} {'side':6} {'plain':>12} {'TLS':>12} {'TLS/plain':>10}")
    for title, plain_name, tls_name, key, unit in pairs:
        for side in ("swift", "python"):
            plain, tls = median(load(plain_name, side), key), median(load(tls_name, side), key)
            def fmt(v):
                if v is None:
                    return "n/a"
                return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.4g}"
            ratio = f"{tls / plain:.2f}x" if plain and tls is not None else "n/a"
            print(f"{title:36} {unit:8} {side:6} {fmt(plain):>12} {fmt(tls):>12} {ratio:>10}")
PY
