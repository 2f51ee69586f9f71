#!/usr/bin/env bash
# +WPI soak (not part of `swift test`): one real long task through a `taskiq-run worker` on the
# nats_jetstream broker, far longer than the consumer's ack_wait; PASS when it ran exactly once
# and the server never delivered it again. Exit status 0 = PASS, 1 = FAIL, 2 = usage or setup error.
#
#   scripts/soak-nats-wpi.sh                             # a 600 s task, ack_wait 30 s (about 11 minutes)
#   scripts/soak-nats-wpi.sh --task-seconds 90 --ack-wait 5   # a quick look
#
# Options (environment variable in brackets):
#   --task-seconds S   how long the task (examples.sleep) runs [SOAK_TASK_SECONDS, default 600]
#   --ack-wait S       the consumer's ack_wait in seconds [SOAK_ACK_WAIT, 30]
#   --max-seconds S    give up (FAIL) when the task has not finished S seconds after the kick
#                      [SOAK_MAX_SECONDS, task seconds + 120]
#   --sample-every S   seconds between looks at the consumer (/jsz) [SOAK_SAMPLE_EVERY, 5]
#   --out DIR          keep the work directory (config, logs, store, samples.csv) in DIR [SOAK_OUT]
#   --no-build         use the existing .build/release/taskiq-run
#
# Layout: a private nats-server (JetStream, file store, monitoring) on free loopback ports, one
# `taskiq-run worker` of the release build (debug log), `taskiq-run kick` of
# examples.sleep(task seconds). Without +WPI the server would deliver the message again every
# ack_wait and the worker, with free slots, would start it again. Counting does not trust the
# broker: starts and successes come from the worker's "task started"/"task succeeded" log lines
# for the task ID; the server's view from /jsz: delivered.consumer_seq (every delivery, redeliveries
# too, takes one), num_redelivered (unacknowledged messages delivered more than once, sampled while
# the task runs) and num_ack_pending.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TASK_SECONDS=${SOAK_TASK_SECONDS:-600}
ACK_WAIT=${SOAK_ACK_WAIT:-30}
MAX_SECONDS=${SOAK_MAX_SECONDS:-}
SAMPLE_EVERY=${SOAK_SAMPLE_EVERY:-5}
OUT=${SOAK_OUT:-}
BUILD=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --task-seconds) TASK_SECONDS=${2:?}; shift 2 ;;
        --ack-wait) ACK_WAIT=${2:?}; shift 2 ;;
        --max-seconds) MAX_SECONDS=${2:?}; shift 2 ;;
        --sample-every) SAMPLE_EVERY=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage ;;
        *) echo "soak-nats-wpi.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
MAX_SECONDS=${MAX_SECONDS:-$((TASK_SECONDS + 120))}
for pair in "task-seconds:$TASK_SECONDS" "ack-wait:$ACK_WAIT" "max-seconds:$MAX_SECONDS" "sample-every:$SAMPLE_EVERY"; do
    [[ ${pair#*:} =~ ^[0-9]+$ && ${pair#*:} -gt 0 ]] || { echo "soak-nats-wpi.sh: --${pair%%:*} expects a positive integer, found '${pair#*:}'" >&2; exit 2; }
done
[ "$ACK_WAIT" -le 86400 ] || { echo "soak-nats-wpi.sh: --ack-wait must be at most 86400" >&2; exit 2; }
[ "$MAX_SECONDS" -gt "$TASK_SECONDS" ] || { echo "soak-nats-wpi.sh: --max-seconds ($MAX_SECONDS) must exceed --task-seconds ($TASK_SECONDS)" >&2; exit 2; }
[ "$TASK_SECONDS" -ge $((2 * ACK_WAIT)) ] || echo "soak-nats-wpi.sh: warning: a task shorter than two ack waits proves little" >&2
NATS_SERVER=$(command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null || true)
[ -n "$NATS_SERVER" ] || { echo "soak-nats-wpi.sh: nats-server is not installed (scripts/install-peers.sh)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "soak-nats-wpi.sh: python3 is needed to read /jsz" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
    echo "soak-nats-wpi: building release (swift build -c release)" >&2
    swift build -c release >&2
fi
BIN="$ROOT/.build/release/taskiq-run"
[ -x "$BIN" ] || { echo "soak-nats-wpi.sh: $BIN is missing; run swift build -c release" >&2; exit 2; }

if [ -n "$OUT" ]; then mkdir -p "$OUT"; WORK=$(cd "$OUT" && pwd); else WORK=$(mktemp -d); fi
mkdir -p "$WORK/js" "$WORK/logs"
NATS_PID= WORKER_PID=
cleanup() {
    [ -n "$WORKER_PID" ] && kill -KILL "$WORKER_PID" 2>/dev/null || true
    [ -n "$NATS_PID" ] && kill -TERM "$NATS_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    [ -z "$OUT" ] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MPORT=$(free_port)
"$NATS_SERVER" -a 127.0.0.1 -p "$PORT" -m "$MPORT" -js -sd "$WORK/js" -l "$WORK/logs/nats.log" &
NATS_PID=$!

# The durable consumer's numbers on /jsz: consumer_seq redelivered ack_pending pending, or four dashes.
consumer() {
    python3 - "$MPORT" <<'PY'
import json, sys, urllib.request
try:
    jsz = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/jsz?consumers=true", timeout=5))
except Exception:
    print("- - - -"); sys.exit(0)
for account in jsz.get("account_details") or []:
    for stream in account.get("stream_detail") or []:
        for c in stream.get("consumer_detail") or []:
            if c.get("name") == "taskiq_durable":
                print(c["delivered"]["consumer_seq"], c.get("num_redelivered", 0), c.get("num_ack_pending", 0), c.get("num_pending", 0))
                sys.exit(0)
print("- - - -")
PY
}
for _ in $(seq 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$MPORT/healthz', timeout=1)" 2>/dev/null && break
    sleep 0.1  # a poll interval against the 10 s deadline
done
python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$MPORT/healthz', timeout=1)" 2>/dev/null \
    || { echo "soak-nats-wpi.sh: nats-server did not start on port $PORT; see $WORK/logs/nats.log" >&2; exit 2; }

CONFIG="$WORK/wpi.json"
cat >"$CONFIG" <<EOF
{
  "broker": {"type": "nats_jetstream", "url": "nats://127.0.0.1:$PORT", "ack_wait": $ACK_WAIT, "batch": 10, "pull_expires": 30},
  "result_backend": {"type": "dummy"},
  "tasks": {"modules": ["examples"]},
  "worker": {"workers": 1, "max_async_tasks": 10, "shutdown_timeout": 10, "log_level": "debug"}
}
EOF
WORKER_LOG="$WORK/logs/worker.log"
"$BIN" worker -c "$CONFIG" >"$WORKER_LOG" 2>&1 &
WORKER_PID=$!
for _ in $(seq 300); do grep -q "worker ready" "$WORKER_LOG" && break; sleep 0.1; done  # polls against a 30 s deadline
grep -q "worker ready" "$WORKER_LOG" || { echo "soak-nats-wpi.sh: the worker did not get ready; see $WORKER_LOG" >&2; exit 2; }

echo "soak-nats-wpi: examples.sleep($TASK_SECONDS) with ack_wait ${ACK_WAIT}s (+WPI every $(awk -v a="$ACK_WAIT" 'BEGIN { printf "%.1f", a / 3 }')s), at most ${MAX_SECONDS}s; work dir $WORK" >&2
TASK_ID=$("$BIN" kick -c "$CONFIG" examples.sleep "$TASK_SECONDS")
[[ $TASK_ID =~ ^[0-9a-fA-F]+$ ]] || { echo "soak-nats-wpi.sh: kick printed '$TASK_ID', expected a task ID" >&2; exit 2; }
KICKED=$(date +%s)
count() { grep -c "$1.*task_id=$TASK_ID" "$WORKER_LOG" || true; }

echo "t_s,consumer_seq,num_redelivered,num_ack_pending,num_pending,starts" >"$WORK/samples.csv"
MOST_REDELIVERED=0 MOST_STARTS=0 SAMPLES=0 VERDICT= REPORTED=-1
while :; do
    NOW=$(( $(date +%s) - KICKED ))
    read -r SEQ REDELIVERED ACK_PENDING PENDING <<<"$(consumer)"
    STARTS=$(count "task started")
    echo "$NOW,$SEQ,$REDELIVERED,$ACK_PENDING,$PENDING,$STARTS" >>"$WORK/samples.csv"
    if [[ $REDELIVERED =~ ^[0-9]+$ ]]; then
        SAMPLES=$((SAMPLES + 1))
        [ "$REDELIVERED" -gt "$MOST_REDELIVERED" ] && MOST_REDELIVERED=$REDELIVERED
    fi
    [ "$STARTS" -gt "$MOST_STARTS" ] && MOST_STARTS=$STARTS
    if [ "$MOST_STARTS" -gt 1 ] || [ "$MOST_REDELIVERED" -gt 0 ]; then VERDICT="redelivered while it ran"; break; fi
    if [ "$(count "task succeeded")" -ge 1 ] || [ "$(count "task failed")" -ge 1 ]; then break; fi
    kill -0 "$WORKER_PID" 2>/dev/null || { VERDICT="the worker exited"; break; }
    [ "$NOW" -ge "$MAX_SECONDS" ] && { VERDICT="not finished within ${MAX_SECONDS}s"; break; }
    [ $((NOW / 60)) -gt "$REPORTED" ] && REPORTED=$((NOW / 60)) && echo "soak-nats-wpi: ${NOW}s: consumer_seq $SEQ, num_redelivered $REDELIVERED, num_ack_pending $ACK_PENDING, starts $STARTS" >&2
    sleep "$SAMPLE_EVERY"  # a sampling interval, not a synchronisation
done
RAN=$(( $(date +%s) - KICKED ))

# After the ack, the server must hold nothing: poll for the ack to land (bounded).
for _ in $(seq 100); do
    read -r SEQ REDELIVERED ACK_PENDING PENDING <<<"$(consumer)"
    [ "$ACK_PENDING" = 0 ] && break
    sleep 0.1  # a poll interval against a 10 s deadline
done
STARTS=$(count "task started") SUCCEEDED=$(count "task succeeded") FAILED=$(count "task failed")
kill -TERM "$WORKER_PID" 2>/dev/null || true
wait "$WORKER_PID" 2>/dev/null || true
WORKER_PID=

if [ -z "$VERDICT" ]; then
    if [ "$STARTS" != 1 ] || [ "$SUCCEEDED" != 1 ] || [ "$FAILED" != 0 ]; then VERDICT="ran $STARTS times ($SUCCEEDED succeeded, $FAILED failed)"
    elif [ "$SEQ" != 1 ]; then VERDICT="the server delivered it $SEQ times"
    elif [ "$ACK_PENDING" != 0 ]; then VERDICT="still unacknowledged on the server"
    elif [ "$SAMPLES" -lt 2 ]; then VERDICT="the consumer was not watched ($SAMPLES samples)"
    fi
fi
cat <<EOF
task        examples.sleep($TASK_SECONDS) as $TASK_ID, ack_wait ${ACK_WAIT}s ($((TASK_SECONDS / ACK_WAIT))x), done ${RAN}s after the kick
worker      $STARTS started, $SUCCEEDED succeeded, $FAILED failed
server      delivered $SEQ time(s) (consumer_seq), num_redelivered at most $MOST_REDELIVERED in $SAMPLES samples, num_ack_pending $ACK_PENDING after the ack
EOF
if [ -n "$VERDICT" ]; then
    echo "soak-nats-wpi.sh: FAIL: $VERDICT (logs in $WORK/logs; keep them with --out)"
    exit 1
fi
echo "soak-nats-wpi.sh: PASS"
