"""Exact-value interop peer: kicks examples.echo with each value named on the command line
through taskiq-redis's ListQueueBroker and prints what came back.

Usage: redis_values.py JSON...    (environment: REDIS_URL)

Each argument is parsed with Python's json module, so "18446744073709551616" is the int 2**64 and
"1.0" the float 1.0. For each one it prints one line:
    <argument> -> <json.dumps of the result> <type name of the result> <same|DIFFERENT>
"same" means equal value, same type, and the same sign for a zero float.
Results are stored with JSONSerializer, the form taskiq for Swift reads and writes.
"""
import asyncio
import json
import math
import sys

from redis_tasks import broker, echo


def same(sent, got):
    if type(sent) is not type(got) or sent != got:
        return False
    if isinstance(sent, float) and sent == 0:
        return math.copysign(1, sent) == math.copysign(1, got)
    return True


async def main(arguments):
    await broker.startup()
    for text in arguments:
        sent = json.loads(text)
        task = await echo.kiq(sent)
        result = await task.wait_result(timeout=30)
        if result.is_err:
            print(text, "-> error", result.error, flush=True)
            continue
        got = result.return_value
        verdict = "same" if same(sent, got) else "DIFFERENT"
        print(text, "->", json.dumps(got), type(got).__name__, verdict, flush=True)
    await broker.shutdown()


asyncio.run(main(sys.argv[1:]))
