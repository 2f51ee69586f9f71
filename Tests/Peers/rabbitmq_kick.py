"""Kicks examples.add through taskiq-aio-pika 0.6.1 in every form a Swift worker must take, then
waits for each result through the Redis result backend (see rabbitmq_tasks.py).

Prints "result <case> <task_id> <json value> <seconds from kick to result>" per case.
"""
import asyncio
import json
import time

from rabbitmq_tasks import add, broker


async def main() -> None:
    await broker.startup()
    try:
        cases = {
            "positional": add.kiq(1, 2),
            "keywords": add.kicker().kiq(a=3, b=4),
            "labels": add.kicker().with_labels(custom="é ✓", priority=5).kiq(5, 6),
            "delayed": add.kicker().with_labels(delay=2).kiq(7, 8),
        }
        started = time.monotonic()
        tasks = {name: await kick for name, kick in cases.items()}
        for name, task in tasks.items():
            result = await task.wait_result(timeout=60)
            if result.is_err:
                raise SystemExit(f"{name} failed: {result.error}")
            print(f"result {name} {task.task_id} {json.dumps(result.return_value)} {time.monotonic() - started:.2f}",
                  flush=True)
    finally:
        await broker.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
