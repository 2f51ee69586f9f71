"""Worker-side tasks for the Python ZeroMQ and Redis scenarios.

`BENCH_BROKER` picks the broker (zmq, redis, rabbitmq: taskiq-aio-pika with Redis results, nats: taskiq-nats core
with a queue group, or nats_jetstream: taskiq-nats' pull broker; zmq and the NATS ones without results unless
BENCH_RESULTS=redis). The worker counts `taskiq.bench.noop` runs and
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
elif KIND == "rabbitmq":
    from taskiq_aio_pika import AioPikaBroker
    from taskiq_aio_pika.exchange import Exchange
    from taskiq_aio_pika.queue import Queue
    from taskiq_redis import RedisAsyncResultBackend

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6390")
    # Its own exchange and quorum queue, so the Swift side's leftovers never reach it. qos as
    # the Swift side's (taskiq-aio-pika's default is 10).
    broker = AioPikaBroker(os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
                           exchange=Exchange(name="taskiq_bench_python"),
                           task_queues=[Queue(name="taskiq_bench_python")],
                           dead_letter_queue=Queue(name="taskiq_bench_python.dead_letter"),
                           delay_queue=Queue(name="taskiq_bench_python.delay"), qos=200,
                           ).with_result_backend(RedisAsyncResultBackend(url, result_ex_time=600))
elif KIND == "nats":
    from taskiq_nats import NatsBroker

    # Core NATS with a queue group, as the Swift side (taskiq-nats' default has none: fan-out), on
    # a subject of its own: the JetStream stream below stores whatever is published on its subject.
    broker = NatsBroker(os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222"), subject="taskiq_bench_python_core",
                        queue="taskiq_bench_python_core")
elif KIND == "nats_jetstream":
    from nats.js.api import RetentionPolicy, StreamConfig
    from taskiq_nats import PullBasedJetStreamBroker

    # Its own stream, work-queue retention as the Swift side. Throughput: a pull batch of 100
    # (taskiq-nats' default of 1 does one round trip per task; this is its best case) with a 0.2 s
    # fetch timeout: without one, nats-py's fetch waits until the whole batch has arrived, so a
    # tail of fewer than 100 tasks waits for the producer's marks (up to 20 s). Awaited results
    # (BENCH_RESULTS=redis, open-loop): taskiq-nats' defaults, batch 1 and no timeout, the lowest
    # latency (a batch of 100 with only 64 tasks in flight never fills: every fetch times out).
    latency = os.environ.get("BENCH_RESULTS") == "redis"
    broker = PullBasedJetStreamBroker(
        os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222"), subject="taskiq_bench_python",
        stream_name="taskiq_bench_python", durable="taskiq_bench_python",
        stream_config=StreamConfig(name="taskiq_bench_python", subjects=["taskiq_bench_python"], retention=RetentionPolicy.WORK_QUEUE),
        pull_consume_batch=1 if latency else 100, pull_consume_timeout=None if latency else 0.2)
else:
    from taskiq.brokers.zmq_broker import ZeroMQBroker

    port = os.environ.get("BENCH_ZMQ_PORT", "5572")
    broker = ZeroMQBroker(zmq_pub_host=f"tcp://127.0.0.1:{port}", zmq_sub_host=f"tcp://127.0.0.1:{port}")

if KIND in ("zmq", "nats", "nats_jetstream") and os.environ.get("BENCH_RESULTS") == "redis":
    # Results in Redis, so the producer can await them (open-loop latency).
    from taskiq_redis import RedisAsyncResultBackend

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6390")
    broker = broker.with_result_backend(RedisAsyncResultBackend(url, result_ex_time=600))

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
