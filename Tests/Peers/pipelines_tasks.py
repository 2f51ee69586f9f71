"""Python taskiq-pipelines 0.1.4 peer for the Swift pipeline interop tests.

One Redis stream broker on the queue "py" (REDIS_URL), JSON results in Redis, and the
PipelineMiddleware. The `pl.py_*` tasks run here; the `pl.swift_*` kickers name tasks that only
the Swift worker (queue "swift") runs, routed there by their `queue_name` label, which
taskiq-pipelines keeps in each step's labels.

Worker:   taskiq worker pipelines_tasks:broker --workers 1
"""
import os

from taskiq.kicker import AsyncKicker
from taskiq.serializers import JSONSerializer
from taskiq_pipelines import PipelineMiddleware
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")

broker = (
    RedisStreamBroker(URL, queue_name="py")
    .with_result_backend(RedisAsyncResultBackend(URL, serializer=JSONSerializer()))
    .with_middlewares(PipelineMiddleware())
)

PY = {"queue_name": "py"}


@broker.task(task_name="pl.py_range", **PY)
async def py_range(n: int) -> list:
    return list(range(n))


@broker.task(task_name="pl.py_square", **PY)
async def py_square(x: int) -> int:
    return x * x


@broker.task(task_name="pl.py_is_even", **PY)
async def py_is_even(x: int) -> bool:
    return x % 2 == 0


@broker.task(task_name="pl.py_sum", **PY)
async def py_sum(values: list) -> int:
    return sum(values)


@broker.task(task_name="pl.py_fail", **PY)
async def py_fail(x: int) -> int:
    raise ValueError(f"python refuses {x}")


def swift(name: str) -> AsyncKicker:
    """A kicker for a task only the Swift worker has."""
    return AsyncKicker(task_name=name, broker=broker, labels={"queue_name": "swift"})
