"""Worker-side tasks for the Python ZeroMQ and Redis scenarios.

`BENCH_BROKER` picks the broker (zmq or redis). The worker counts `taskiq.bench.noop` runs and
writes the count to `$TASKIQ_BENCH_REPORT.<pid>` (one file per worker process) on each `taskiq.bench.mark` task and on shutdown, the
same protocol the Swift bench's workers follow, so drops are counted the same way on both sides.
"""
import os

from taskiq import TaskiqEvents, TaskiqState

import common

KIND = os.environ.get("BENCH_BROKER", "zmq")
REPORT = os.environ.get("TASKIQ_BENCH_REPORT")
if REPORT:
    REPORT = f"{REPORT}.{os.getpid()}"

if KIND == "redis":
    from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6390")
    broker = RedisStreamBroker(url).with_result_backend(RedisAsyncResultBackend(url, result_ex_time=600))
else:
    from taskiq.brokers.zmq_broker import ZeroMQBroker

    port = os.environ.get("BENCH_ZMQ_PORT", "5572")
    broker = ZeroMQBroker(zmq_pub_host=f"tcp://127.0.0.1:{port}", zmq_sub_host=f"tcp://127.0.0.1:{port}")

counts = {"executed": 0, "last": 0}


@broker.task("taskiq.bench.noop")
async def noop(payload: str) -> int:
    counts["executed"] += 1
    counts["last"] = common.realtime_ns()
    return len(payload)


@broker.task("taskiq.bench.mark")
async def mark() -> int:
    if REPORT:
        common.write_report(REPORT, counts["executed"], counts["last"])
    return 0


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def report_on_exit(state: TaskiqState) -> None:
    if REPORT:
        common.write_report(REPORT, counts["executed"], counts["last"])
