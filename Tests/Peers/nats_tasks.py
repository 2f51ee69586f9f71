"""Python taskiq-nats 0.7.0 (nats-py 2.16.0) peer for the Swift NATS interop tests.

Environment:
  NATS_URL         servers, comma-separated ("nats://127.0.0.1:4222", "tls://…", credentials in the URL)
  NATS_CA_FILE     CA that verifies a TLS server (the tests' TLSCertificates CA); unset: system trust
  NATS_BROKER      "core" (NatsBroker, default), "jetstream" (PullBasedJetStreamBroker) or
                   "push" (PushBasedJetStreamBroker; on nats-server 2.9.10 a second process, a kicker
                   too, cannot start while a worker is bound: "consumer name already in use")
  NATS_SUBJECT     subject for every broker (default taskiq-nats's "taskiq_tasks")
  NATS_QUEUE       core/push: queue group (default none: every core worker gets every task)
  NATS_STREAM      jetstream/push: stream name (default "taskiq_jetstream")
  NATS_DURABLE     jetstream: durable consumer name (default "taskiq_durable")
  NATS_PULL_TIMEOUT jetstream: seconds a pull waits (default none: forever, as taskiq-nats does;
                   a timeout lets the worker notice SIGINT)
  REDIS_URL        results through taskiq-redis's RedisAsyncResultBackend with JSONSerializer (the
                   form taskiq for Swift reads and writes); unset: no result backend
  SIDE_EFFECT_DIR  where the tasks write one file per task, named after the task ID

Worker:   taskiq worker nats_tasks:broker --workers 1   (cwd or PYTHONPATH = Tests/Peers)
Kicker:   nats_kick.py
"""
import asyncio
import json
import os
import pathlib
import ssl

from taskiq import Context, TaskiqDepends
from taskiq.serializers import JSONSerializer
from taskiq_nats import NatsBroker, PullBasedJetStreamBroker, PushBasedJetStreamBroker

SERVERS = [url.strip() for url in os.environ.get("NATS_URL", "nats://127.0.0.1:4222").split(",") if url.strip()]
KIND = os.environ.get("NATS_BROKER", "core")
SUBJECT = os.environ.get("NATS_SUBJECT", "taskiq_tasks")


def _connect_kwargs() -> dict:
    kwargs: dict = {}
    ca_file = os.environ.get("NATS_CA_FILE")
    if ca_file:
        kwargs["tls"] = ssl.create_default_context(cafile=ca_file)
    return kwargs


if KIND == "core":
    broker = NatsBroker(SERVERS, subject=SUBJECT, queue=os.environ.get("NATS_QUEUE") or None, **_connect_kwargs())
elif KIND in ("jetstream", "push"):
    timeout = os.environ.get("NATS_PULL_TIMEOUT")
    kind = PullBasedJetStreamBroker if KIND == "jetstream" else PushBasedJetStreamBroker
    broker = kind(
        SERVERS,
        subject=SUBJECT,
        stream_name=os.environ.get("NATS_STREAM", "taskiq_jetstream"),
        durable=os.environ.get("NATS_DURABLE", "taskiq_durable"),
        queue=os.environ.get("NATS_QUEUE") or None,
        pull_consume_timeout=float(timeout) if timeout else None,
        **_connect_kwargs(),
    )
else:
    raise SystemExit(f"NATS_BROKER must be core, jetstream or push, found {KIND!r}")

if os.environ.get("REDIS_URL"):
    from taskiq_redis import RedisAsyncResultBackend

    broker = broker.with_result_backend(RedisAsyncResultBackend(os.environ["REDIS_URL"], serializer=JSONSerializer()))


def _effect(context: Context, text: str) -> None:
    out = os.environ.get("SIDE_EFFECT_DIR")
    if out:
        path = pathlib.Path(out) / context.message.task_id
        path.with_suffix(".tmp").write_text(text)
        path.with_suffix(".tmp").rename(path)


@broker.task(task_name="examples.add")
async def add(a: int, b: int, context: Context = TaskiqDepends()) -> int:
    """The sum, as taskiq for Swift's examples.add. Writes {"sum": …, "labels": {…}} (as rabbitmq_tasks.py)."""
    _effect(context, json.dumps({"sum": a + b, "labels": context.message.labels}, sort_keys=True, ensure_ascii=False))
    return a + b


@broker.task(task_name="examples.echo")
async def echo(value, context: Context = TaskiqDepends()):
    """Returns its argument unchanged, as taskiq for Swift's examples.echo. Writes the type and repr of
    what Python received ("int 18446744073709551616"), as redis_tasks.py."""
    _effect(context, f"{type(value).__name__} {value!r}")
    return value


@broker.task(task_name="examples.labels")
async def labels(context: Context = TaskiqDepends()) -> dict:
    """Returns the labels the worker received (what NATS headers carried, as strings)."""
    _effect(context, json.dumps(context.message.labels, sort_keys=True, ensure_ascii=False))
    return context.message.labels


@broker.task(task_name="examples.sleep")
async def sleep(seconds: float, context: Context = TaskiqDepends()) -> None:
    """Sleeps, as taskiq for Swift's examples.sleep; writes "slept <seconds>" when done."""
    await asyncio.sleep(seconds)
    _effect(context, f"slept {seconds}")


@broker.task(task_name="examples.fail")
async def fail() -> None:
    """Always fails, as taskiq for Swift's examples.fail."""
    raise RuntimeError("examples.fail always fails")
