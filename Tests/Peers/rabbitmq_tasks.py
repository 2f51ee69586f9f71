"""Python taskiq-aio-pika 0.6.1 peer for the Swift RabbitMQ interop tests.

Environment: RABBITMQ_URL, REDIS_URL (results, JSONSerializer, the form taskiq for Swift reads and
writes), SIDE_EFFECT_DIR (where `examples.add` writes one file per task: name = task ID, content =
the sum). The broker declares taskiq-aio-pika's defaults plus its TTL delay queue `taskiq.delay`.

Worker:   taskiq worker rabbitmq_tasks:broker --workers 1
Kicker:   rabbitmq_kick.py (prints one "result <task_id> <json> <seconds>" line per task)
"""
import json
import os
import pathlib

from taskiq import Context, TaskiqDepends
from taskiq.serializers import JSONSerializer
from taskiq_aio_pika import AioPikaBroker, Queue
from taskiq_redis import RedisAsyncResultBackend

broker = AioPikaBroker(
    url=os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
    delay_queue=Queue(name="taskiq.delay"),
).with_result_backend(RedisAsyncResultBackend(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
                                              serializer=JSONSerializer()))


def _effect(context: Context, text: str) -> None:
    out = os.environ.get("SIDE_EFFECT_DIR")
    if out:
        path = pathlib.Path(out) / context.message.task_id
        path.with_suffix(".tmp").write_text(text)
        path.with_suffix(".tmp").rename(path)


@broker.task(task_name="examples.add")
async def add(a: int, b: int, context: Context = TaskiqDepends()) -> int:
    _effect(context, json.dumps({"sum": a + b, "labels": context.message.labels}, sort_keys=True, ensure_ascii=False))
    return a + b
