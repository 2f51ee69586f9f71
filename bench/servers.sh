# Private broker servers for bench/compare.sh and bench/sweep.sh (sourced, not run): each on a free
# loopback port with its files in a temp dir, like the tests' servers. stop_servers stops whatever
# is running; the scripts call it from their EXIT trap.
#
#   start_redis              REDIS_PORT, REDIS_PID; exports BENCH_REDIS_URL, TASKIQ_BENCH_REDIS_URL
#   start_rabbitmq           RABBITMQ_PORT, RABBITMQ_PID (the script's process group), RABBITMQ_SERVER_PID
#                            (the Erlang VM); exports BENCH_RABBITMQ_URL, TASKIQ_BENCH_RABBITMQ_URL
#   start_nats [MAX_PAYLOAD] NATS_PORT, NATS_PID, JetStream on (file store); MAX_PAYLOAD as nats-server's
#                            config writes it (8MB), the server's 1MB default without; exports
#                            BENCH_NATS_URL, TASKIQ_BENCH_NATS_URL
RABBITMQ_BIN=/usr/lib/rabbitmq/bin/rabbitmq-server

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_port PORT TRIES: until something accepts on PORT, TRIES times 0.1 s at most.
wait_port() {
    local _
    for _ in $(seq "$2"); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing accepts on 127.0.0.1:$1" >&2
    return 1
}

start_redis() {
    REDIS_PORT=$(free_port)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
    REDIS_PID=$!
    local _
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export BENCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" TASKIQ_BENCH_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}

stop_redis() {
    [ -n "${REDIS_PID:-}" ] || return 0
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
}

start_rabbitmq() {
    RABBITMQ_PORT=$(free_port)
    RABBITMQ_DIR=$(mktemp -d)
    mkdir -p "$RABBITMQ_DIR/mnesia" "$RABBITMQ_DIR/log" "$RABBITMQ_DIR/home"
    echo '[].' >"$RABBITMQ_DIR/enabled_plugins"
    HOME="$RABBITMQ_DIR/home" RABBITMQ_NODENAME="taskiq-bench-$RABBITMQ_PORT@localhost" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBITMQ_PORT" RABBITMQ_DIST_PORT="$(free_port)" \
        RABBITMQ_MNESIA_BASE="$RABBITMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RABBITMQ_DIR/log" \
        RABBITMQ_PID_FILE="$RABBITMQ_DIR/rabbit.pid" RABBITMQ_ENABLED_PLUGINS_FILE="$RABBITMQ_DIR/enabled_plugins" \
        RABBITMQ_CONFIG_FILE="$RABBITMQ_DIR/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$RABBITMQ_DIR/advanced.config" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+sbwt none +sbwtdcpu none +sbwtdio none" \
        setsid "$RABBITMQ_BIN" >"$RABBITMQ_DIR/server.out" 2>&1 &
    RABBITMQ_PID=$!
    wait_port "$RABBITMQ_PORT" 600
    # The Erlang VM writes its OS pid to the pid file once it runs.
    RABBITMQ_SERVER_PID=$(cat "$RABBITMQ_DIR/rabbit.pid" 2>/dev/null || pgrep -f "beam.smp.*taskiq-bench-$RABBITMQ_PORT" | head -1)
    export BENCH_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:$RABBITMQ_PORT/"
    export TASKIQ_BENCH_RABBITMQ_URL="$BENCH_RABBITMQ_URL"
}

stop_rabbitmq() {
    [ -n "${RABBITMQ_PID:-}" ] || return 0
    kill -TERM -- "-$RABBITMQ_PID" 2>/dev/null || true
    local _
    for _ in $(seq 100); do kill -0 "$RABBITMQ_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$RABBITMQ_PID" 2>/dev/null || true
    RABBITMQ_PID=
    rm -rf "$RABBITMQ_DIR"
}

start_nats() {
    NATS_PORT=$(free_port)
    NATS_DIR=$(mktemp -d)
    {
        echo "listen: 127.0.0.1:$NATS_PORT"
        if [ -n "${1:-}" ]; then echo "max_payload: $1"; fi
        echo "jetstream { store_dir: \"$NATS_DIR/js\" }"
    } >"$NATS_DIR/nats.conf"
    nats-server -c "$NATS_DIR/nats.conf" -l "$NATS_DIR/nats.log" >/dev/null 2>&1 &
    NATS_PID=$!
    wait_port "$NATS_PORT" 100
    export BENCH_NATS_URL="nats://127.0.0.1:$NATS_PORT" TASKIQ_BENCH_NATS_URL="nats://127.0.0.1:$NATS_PORT"
}

stop_nats() {
    [ -n "${NATS_PID:-}" ] || return 0
    kill "$NATS_PID" 2>/dev/null || true
    wait "$NATS_PID" 2>/dev/null || true
    NATS_PID=
    rm -rf "$NATS_DIR"
}

stop_servers() {
    stop_redis || true
    stop_rabbitmq || true
    stop_nats || true
}
