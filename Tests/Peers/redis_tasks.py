"""Python taskiq-redis peer for the Swift interop tests.

Environment: REDIS_URL, REDIS_BROKER ("stream", "list", "cluster_stream" (REDIS_URL names one
cluster node) or "sentinel_stream", which reads REDIS_SENTINELS "host:port,host:port" and
REDIS_MASTER instead of REDIS_URL), SIDE_EFFECT_DIR (where the
`examples.add` task writes one file per task: name = task ID, content = the sum; `examples.echo`
writes the type and repr of its argument).
Results go to Redis with JSONSerializer, the form taskiq for Swift reads.

Worker:   taskiq worker redis_tasks:broker --workers 1
"""
import os
import pathlib

from taskiq import Context, TaskiqDepends
from taskiq.serializers import JSONSerializer
from taskiq_redis import (ListQueueBroker, RedisAsyncClusterResultBackend, RedisAsyncResultBackend,
                          RedisAsyncSentinelResultBackend, RedisStreamBroker, RedisStreamClusterBroker,
                          RedisStreamSentinelBroker)

URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
KIND = os.environ.get("REDIS_BROKER", "stream")

if KIND == "sentinel_stream":
    SENTINELS = [(host, int(port)) for host, port in
                 (item.rsplit(":", 1) for item in os.environ["REDIS_SENTINELS"].split(","))]
    MASTER = os.environ["REDIS_MASTER"]
    broker = RedisStreamSentinelBroker(sentinels=SENTINELS, master_name=MASTER)
    backend = RedisAsyncSentinelResultBackend(sentinels=SENTINELS, master_name=MASTER, serializer=JSONSerializer())
elif KIND == "cluster_stream":
    broker = RedisStreamClusterBroker(URL)
    backend = RedisAsyncClusterResultBackend(URL, serializer=JSONSerializer())
elif KIND == "list":
    # socket_timeout=None avoids redis-py 8's 5 s timeout on the idle BRPOP (taskiq-redis #127).
    broker = ListQueueBroker(URL, socket_timeout=None)
    backend = RedisAsyncResultBackend(URL, serializer=JSONSerializer())
else:
    broker = RedisStreamBroker(URL)
    backend = RedisAsyncResultBackend(URL, serializer=JSONSerializer())
broker = broker.with_result_backend(backend)


@broker.task(task_name="examples.add")
async def add(a: int, b: int, context: Context = TaskiqDepends()) -> int:
    out = os.environ.get("SIDE_EFFECT_DIR")
    if out:
        path = pathlib.Path(out) / context.message.task_id
        path.with_suffix(".tmp").write_text(str(a + b))
        path.with_suffix(".tmp").rename(path)
    return a + b



@broker.task(task_name="examples.echo")
async def echo(value, context: Context = TaskiqDepends()):
    """Returns its argument unchanged, as taskiq for Swift's examples.echo does. With SIDE_EFFECT_DIR
    set, first writes what Python received, its type name and repr ("int 18446744073709551616"), to a
    file named after the task ID."""
    out = os.environ.get("SIDE_EFFECT_DIR")
    if out:
        path = pathlib.Path(out) / context.message.task_id
        path.with_suffix(".tmp").write_text(f"{type(value).__name__} {value!r}")
        path.with_suffix(".tmp").rename(path)
    return value
