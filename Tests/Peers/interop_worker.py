"""A Python taskiq worker module for the ZeroMQ interop tests.

Run as `taskiq worker -w 1 interop_worker:broker` with this folder on the path and
INTEROP_ZMQ_HOST set to the address our producer binds. It serves two names the Swift `examples`
module also has, so `taskiq-run kick` can send them, and prints one line per executed task:
  executed {"task_id": ..., "task_name": ..., "args": [...], "kwargs": {...}, "result": ...}
(ASCII JSON, flushed) for the test to compare with what it sent.
"""
import json
import os

from taskiq import Context, TaskiqDepends
from taskiq.brokers.zmq_broker import ZeroMQBroker

host = os.environ["INTEROP_ZMQ_HOST"]
broker = ZeroMQBroker(zmq_pub_host=host, zmq_sub_host=host)


def report(context, result):
    message = context.message
    print("executed", json.dumps({
        "task_id": message.task_id,
        "task_name": message.task_name,
        "args": message.args,
        "kwargs": message.kwargs,
        "result": result,
    }), flush=True)
    return result


@broker.task(task_name="examples.echo")
async def echo(value, context: Context = TaskiqDepends()):
    return report(context, value)


@broker.task(task_name="examples.add")
async def add(a: int, b: int, context: Context = TaskiqDepends()) -> int:
    return report(context, a + b)
