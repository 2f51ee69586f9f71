"""A Python taskiq producer for the ZeroMQ interop tests: taskiq's own ZeroMQBroker, client side.

Usage: taskiq_producer.py PORT

Binds PUB on tcp://127.0.0.1:PORT (taskiq's default is 0.0.0.0), prints "bound", then reads one
JSON request per stdin line, {"task": NAME, "args": [...], "kwargs": {...}}, kicks it through
taskiq's kicker and prints "kicked <task_id>". The test sends a request only after our SUB is
connected, so nothing is lost to the slow-joiner effect. On a "quit" line or EOF it shuts the
broker down and prints "done" ("quit" does not depend on every copy of the pipe being closed). Every line is flushed so the test can wait on it instead of sleeping.
"""
import asyncio
import json
import sys

from taskiq.brokers.zmq_broker import ZeroMQBroker
from taskiq.kicker import AsyncKicker


def say(*words):
    print(*words, flush=True)


async def main(port):
    broker = ZeroMQBroker(zmq_pub_host=f"tcp://127.0.0.1:{port}")
    await broker.startup()
    say("bound", broker.pub_host)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or line.strip() == "quit":
            break
        request = json.loads(line)
        kicker = AsyncKicker(task_name=request["task"], broker=broker, labels={})
        task = await kicker.kiq(*request.get("args", []), **request.get("kwargs", {}))
        say("kicked", task.task_id)
    await broker.shutdown()
    say("done")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
