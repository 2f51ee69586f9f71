#!/usr/bin/env bash
# Soak test (not part of `swift test`): TASKS tasks through a Redis stream broker and the Redis
# result backend while one worker process is SIGKILLed every KILL_EVERY seconds; prints executed,
# duplicated and lost tasks (lost must be 0) and the resident memory of every process over time
# (the long-lived ones must stay flat). Exit status 0 = PASS, 1 = FAIL, 2 = usage or setup error.
#
#   scripts/soak.sh                          # 1,000,000 tasks, a kill every 10 s, at most 1800 s
#   scripts/soak.sh -n 20000 --max-seconds 300
#   SOAK_TASKS=200000 SOAK_KILL_EVERY=5 scripts/soak.sh
#
# Options (environment variable in brackets):
#   -n, --tasks N          tasks to kick [SOAK_TASKS, default 1000000]
#   --max-seconds S        stop kicking after S seconds; the run then FAILs as incomplete [SOAK_MAX_SECONDS, 1800]
#   --kill-every S         seconds between SIGKILLs of the victim worker [SOAK_KILL_EVERY, 10]
#   --signal KILL|TERM|mixed  how the victim is stopped: SIGKILL (the issue's test), SIGTERM (a
#                          graceful drain that hands unstarted entries back), or alternating [SOAK_SIGNAL, KILL]
#   --concurrency N        producers in flight [SOAK_CONCURRENCY, 128]
#   --sample-every S       seconds between RSS samples [SOAK_SAMPLE_EVERY, 2]
#   --rss-tolerance PCT    allowed RSS growth of long-lived processes [SOAK_RSS_TOLERANCE, 10]
#   --out DIR              keep the work directory (config, logs, records, rss.csv) in DIR [SOAK_OUT]
#   --no-build             use the existing .build/release/taskiq-run
#
# Layout: a private redis-server on a free loopback port (no persistence), two independent
# `taskiq-run worker` processes with TASKIQ_SOAK_RECORDS set: the "steady" one is never killed
# (its memory is watched over the whole run), the "victim" is SIGKILLed every KILL_EVERY seconds
# and started again at once under a fresh consumer name, so its pending entries must be claimed
# by the others (lease_ttl 2 s). The producer is `taskiq-run soak`, which counts executions from
# the workers' record files (one O_APPEND write per execution, before the task returns), not from
# acknowledgements or results. After it finishes, the workers are stopped and the record files
# are counted again with sort(1) as a cross-check.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TASKS=${SOAK_TASKS:-1000000}
MAX_SECONDS=${SOAK_MAX_SECONDS:-1800}
KILL_EVERY=${SOAK_KILL_EVERY:-10}
SIGNAL=${SOAK_SIGNAL:-KILL}
CONCURRENCY=${SOAK_CONCURRENCY:-128}
SAMPLE_EVERY=${SOAK_SAMPLE_EVERY:-2}
RSS_TOLERANCE=${SOAK_RSS_TOLERANCE:-10}
OUT=${SOAK_OUT:-}
BUILD=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        -n|--tasks) TASKS=${2:?}; shift 2 ;;
        --max-seconds) MAX_SECONDS=${2:?}; shift 2 ;;
        --kill-every) KILL_EVERY=${2:?}; shift 2 ;;
        --signal) SIGNAL=${2:?}; shift 2 ;;
        --concurrency) CONCURRENCY=${2:?}; shift 2 ;;
        --sample-every) SAMPLE_EVERY=${2:?}; shift 2 ;;
        --rss-tolerance) RSS_TOLERANCE=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage ;;
        *) echo "soak.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
for pair in "tasks:$TASKS" "max-seconds:$MAX_SECONDS" "kill-every:$KILL_EVERY" "concurrency:$CONCURRENCY" \
            "sample-every:$SAMPLE_EVERY" "rss-tolerance:$RSS_TOLERANCE"; do
    [[ ${pair#*:} =~ ^[0-9]+$ && ${pair#*:} -gt 0 ]] || { echo "soak.sh: --${pair%%:*} expects a positive integer, found '${pair#*:}'" >&2; exit 2; }
done
case $SIGNAL in KILL|TERM|mixed) ;; *) echo "soak.sh: --signal expects KILL, TERM or mixed, found '$SIGNAL'" >&2; exit 2 ;; esac
command -v redis-server >/dev/null || { echo "soak.sh: redis-server is not installed" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
    echo "soak: building release (swift build -c release)" >&2
    swift build -c release >&2
fi
BIN="$ROOT/.build/release/taskiq-run"
[ -x "$BIN" ] || { echo "soak.sh: $BIN is missing; run swift build -c release" >&2; exit 2; }

if [ -n "$OUT" ]; then mkdir -p "$OUT"; WORK=$(cd "$OUT" && pwd); else WORK=$(mktemp -d); fi
mkdir -p "$WORK/records" "$WORK/logs"
: >"$WORK/kills.log"
REDIS_PID= STEADY_PID= VICTIM_PID= PRODUCER_PID= SAMPLER_PID=
cleanup() {
    for pid in $PRODUCER_PID $STEADY_PID $VICTIM_PID $SAMPLER_PID; do kill -KILL "$pid" 2>/dev/null || true; done
    [ -n "$REDIS_PID" ] && kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    [ -z "$OUT" ] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    --logfile "$WORK/logs/redis.log" --daemonize no &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$PORT" ping >/dev/null || { echo "soak.sh: redis-server did not start on port $PORT" >&2; exit 2; }

CONFIG="$WORK/soak.json"
cat >"$CONFIG" <<EOF
{
  "broker": {
    "type": "redis_stream",
    "url": "redis://127.0.0.1:$PORT",
    "queue_name": "soak",
    "xread_block": 1000,
    "xread_count": 100,
    "idle_timeout": 10000,
    "lease_ttl": 2,
    "lease_renew_interval": 0.5,
    "max_deliveries": 5
  },
  "result_backend": {"type": "redis", "url": "redis://127.0.0.1:$PORT", "result_ex_time": 600, "keep_results": false},
  "worker": {"workers": 1, "max_async_tasks": 100, "shutdown_timeout": 10, "log_level": "info"}
}
EOF

START=$(date +%s.%N)
elapsed() { awk -v start="$START" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }
echo "role pid" >"$WORK/pids"
start_worker() {  # role: starts a worker in this shell (so it can be waited for) and sets STARTED
    TASKIQ_SOAK_RECORDS="$WORK/records" "$BIN" worker -c "$CONFIG" >>"$WORK/logs/$1.log" 2>&1 &
    STARTED=$!
    echo "$1 $STARTED" >>"$WORK/pids"
}
# The sampler reads the pid table each round, so replacements are followed.
sample_rss() {
    echo "seconds,role,pid,rss_kb" >"$WORK/rss.csv"
    while true; do
        local now
        now=$(elapsed)
        declare -A current=()
        while read -r role pid; do [ "$role" = role ] || current[$role]=$pid; done <"$WORK/pids"
        for role in "${!current[@]}"; do
            local kb
            kb=$(awk '/^VmRSS/ {print $2}' "/proc/${current[$role]}/status" 2>/dev/null || true)
            [ -n "$kb" ] && echo "$now,$role,${current[$role]},$kb" >>"$WORK/rss.csv"
        done
        sleep "$SAMPLE_EVERY"
    done
}

echo "redis $REDIS_PID" >>"$WORK/pids"
start_worker steady; STEADY_PID=$STARTED
start_worker victim; VICTIM_PID=$STARTED
for log in steady victim; do
    for _ in $(seq 300); do grep -q "worker ready" "$WORK/logs/$log.log" 2>/dev/null && break; sleep 0.1; done
    grep -q "worker ready" "$WORK/logs/$log.log" || { echo "soak.sh: the $log worker did not start:" >&2; cat "$WORK/logs/$log.log" >&2; exit 2; }
done

echo "soak: $TASKS tasks, victim worker stopped (SIG$SIGNAL) every ${KILL_EVERY}s, at most ${MAX_SECONDS}s; work dir $WORK" >&2
"$BIN" soak -c "$CONFIG" --records "$WORK/records" -n "$TASKS" --concurrency "$CONCURRENCY" \
    --max-seconds "$MAX_SECONDS" >"$WORK/producer.out" 2>"$WORK/logs/producer.log" &
PRODUCER_PID=$!
echo "producer $PRODUCER_PID" >>"$WORK/pids"
sample_rss &
SAMPLER_PID=$!

# Kill the victim every KILL_EVERY seconds while the producer runs; a hard deadline bounds the
# producer (kicking stops at MAX_SECONDS, then up to 60 s for the last results and 60 s of drain).
KILLS=0 TERMS=0 UNEXPECTED_EXITS=0
HARD_DEADLINE=$(( $(date +%s) + MAX_SECONDS + 150 ))
NEXT_KILL=$(( $(date +%s) + KILL_EVERY ))
while kill -0 "$PRODUCER_PID" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$HARD_DEADLINE" ]; then
        echo "soak: the producer overran its deadline; killing it" >&2
        kill -KILL "$PRODUCER_PID" 2>/dev/null || true
        break
    fi
    if ! kill -0 "$STEADY_PID" 2>/dev/null; then
        echo "soak: the steady worker exited on its own at $(elapsed)s" >&2
        UNEXPECTED_EXITS=$((UNEXPECTED_EXITS + 1))
        wait "$STEADY_PID" 2>/dev/null || true
        start_worker steady; STEADY_PID=$STARTED
    fi
    if [ "$(date +%s)" -ge "$NEXT_KILL" ]; then
        if kill -0 "$VICTIM_PID" 2>/dev/null; then
            if [ "$SIGNAL" = TERM ] || { [ "$SIGNAL" = mixed ] && [ $((KILLS % 2)) = 1 ]; }; then
                kill -TERM "$VICTIM_PID"
                TERMS=$((TERMS + 1))
            else
                kill -KILL "$VICTIM_PID"
            fi
            KILLS=$((KILLS + 1))
        else
            echo "soak: the victim worker had exited on its own before kill $((KILLS + 1))" >&2
            UNEXPECTED_EXITS=$((UNEXPECTED_EXITS + 1))
        fi
        wait "$VICTIM_PID" 2>/dev/null || true
        # What the dead consumer (named <host>-<pid>-<random>) left pending: the others must claim it.
        held=$(redis-cli -p "$PORT" XINFO CONSUMERS soak taskiq |
            awk -v pid="-$VICTIM_PID-" 'previous == "name" { name = $0 } previous == "pending" && index(name, pid) { print } { previous = $0 }')
        echo "$(elapsed) $VICTIM_PID ${held:-0}" >>"$WORK/kills.log"
        start_worker victim; VICTIM_PID=$STARTED
        NEXT_KILL=$(( $(date +%s) + KILL_EVERY ))
    fi
    sleep 0.2
done
PRODUCER_STATUS=0
wait "$PRODUCER_PID" || PRODUCER_STATUS=$?
PRODUCER_PID=
DURATION=$(elapsed)

# Let the survivors claim and finish what the last victim held, then stop them gracefully.
for _ in $(seq 100); do
    pending=$(redis-cli -p "$PORT" XPENDING soak taskiq 2>/dev/null | head -1)
    [ "${pending:-0}" = 0 ] && break
    sleep 0.2
done
PENDING=$(redis-cli -p "$PORT" XPENDING soak taskiq | head -1)
DEAD=$(redis-cli -p "$PORT" XLEN soak:dead)
STREAM=$(redis-cli -p "$PORT" XLEN soak)
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
for pid in $STEADY_PID $VICTIM_PID; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in $STEADY_PID $VICTIM_PID; do wait "$pid" 2>/dev/null || true; done
STEADY_PID= VICTIM_PID=

cat "$WORK/producer.out"
LINES=$(cat "$WORK"/records/records-*.txt | wc -l)
DISTINCT=$(cat "$WORK"/records/records-*.txt | sort -n -u | wc -l)
echo "recount after the workers stopped (sort -u): $LINES executions, $DISTINCT distinct, $((LINES - DISTINCT)) duplicated, $((TASKS - DISTINCT)) of $TASKS never run"
LEFT=$(awk '{ sum += $3; if ($3 > max) max = $3 } END { printf "%d (at most %d per kill)", sum, max }' "$WORK/kills.log" 2>/dev/null || echo 0)
CLAIMED=$(cat "$WORK"/logs/steady.log "$WORK"/logs/victim.log | sed -n 's/.*claimed \([0-9]*\) .*/\1/p' | awk '{ sum += $1 } END { print sum + 0 }')
echo "kills       $KILLS stops of the victim worker ($((KILLS - TERMS)) SIGKILL, $TERMS SIGTERM), $UNEXPECTED_EXITS unexpected worker exits; $(wc -l <"$WORK/pids" | awk '{print $1 - 1}') processes"
echo "reclaim     the killed workers left $LEFT entries pending; the workers logged claiming $CLAIMED"
echo "redis       stream length $STREAM, pending $PENDING, dead-lettered $DEAD"
echo "duration    ${DURATION}s"

RSS_STATUS=0
python3 - "$WORK/rss.csv" "$RSS_TOLERANCE" <<'PY' || RSS_STATUS=$?
import csv, sys
from collections import defaultdict
path, tolerance = sys.argv[1], float(sys.argv[2])
lives = defaultdict(list)            # (role, pid) -> [(seconds, kb)]
for row in csv.DictReader(open(path)):
    lives[(row["role"], row["pid"])].append((float(row["seconds"]), int(row["rss_kb"])))
mib = lambda kb: f"{kb / 1024:7.1f}"
print("rss (MiB)   role       pid      life s  samples   start    middle   end      max")
failed = False
victims = []
for (role, pid), samples in sorted(lives.items(), key=lambda item: item[1][0][0]):
    samples.sort()
    life = samples[-1][0] - samples[0][0]
    kbs = [kb for _, kb in samples]
    line = (f"            {role:10} {pid:8} {life:6.0f}  {len(kbs):7}  {mib(kbs[0])}  {mib(kbs[len(kbs) // 2])}  "
            f"{mib(kbs[-1])}  {mib(max(kbs))}")
    if role == "victim":
        victims.append(kbs)
        continue
    verdict = ""
    # Flatness for processes that lived long enough: after a warm-up of a tenth of the life
    # (at least 10 s), the largest sample of the last third against that of the first third.
    if role in ("producer", "steady") and life >= 30:
        warm = samples[0][0] + max(10, life / 10)
        steady = [(t, kb) for t, kb in samples if t >= warm]
        third = max(1, len(steady) // 3)
        first, last = max(kb for _, kb in steady[:third]), max(kb for _, kb in steady[-third:])
        growth = 100 * (last - first) / first
        flat = growth <= tolerance
        failed |= not flat
        verdict = f"  {'flat' if flat else 'GROWING'}: last third max {growth:+.1f}% vs first third (limit {tolerance:g}%)"
    elif role == "redis":
        verdict = "  (not judged: holds the stream of every task)"
    print(line + verdict)
if victims:
    ends = [max(kbs) for kbs in victims]
    print(f"            victim     {len(victims)} lives, peak RSS per life: first {mib(ends[0]).strip()}, "
          f"median {mib(sorted(ends)[len(ends) // 2]).strip()}, last {mib(ends[-1]).strip()}, max {mib(max(ends)).strip()}")
sys.exit(1 if failed else 0)
PY

STATUS=0
[ "$PRODUCER_STATUS" = 0 ] || { echo "FAIL: the producer reported a failure (exit status $PRODUCER_STATUS)"; STATUS=1; }
[ "$DISTINCT" = "$TASKS" ] || { echo "FAIL: the recount found $((TASKS - DISTINCT)) tasks never run"; STATUS=1; }
[ "$UNEXPECTED_EXITS" = 0 ] || { echo "FAIL: $UNEXPECTED_EXITS workers exited without being killed"; STATUS=1; }
[ "$DEAD" = 0 ] || { echo "FAIL: $DEAD entries were dead-lettered"; STATUS=1; }
[ "$RSS_STATUS" = 0 ] || { echo "FAIL: resident memory of a long-lived process grew"; STATUS=1; }
[ "$KILLS" -gt 0 ] || echo "note: the run ended before the first kill"
echo "soak.sh: $([ "$STATUS" = 0 ] && echo PASS || echo FAIL)"
exit "$STATUS"
