"""Kicks examples.add through taskiq-nats 0.7.0 in the forms a Swift worker must take (see
nats_tasks.py for the environment: NATS_URL, NATS_BROKER, …).

With REDIS_URL set, waits for each result and prints "result <case> <task_id> <json value> <seconds
from kick to result>"; without, prints "kicked <case> <task_id>" per task. NATS_KICK_CASES
("positional,keywords,labels") limits the cases.
"""
import asyncio
import json
import os
import time

from nats_tasks import add, broker


async def main() -> None:
    await broker.startup()
    try:
        cases = {
            "positional": lambda: add.kiq(1, 2),
            "keywords": lambda: add.kicker().kiq(a=3, b=4),
            "labels": lambda: add.kicker().with_labels(custom="é ✓", priority=5).kiq(5, 6),
        }
        wanted = [name.strip() for name in os.environ.get("NATS_KICK_CASES", ",".join(cases)).split(",") if name.strip()]
        started = time.monotonic()
        tasks = {}
        for name in wanted:
            tasks[name] = await cases[name]()
            print(f"kicked {name} {tasks[name].task_id}", flush=True)
        if not os.environ.get("REDIS_URL"):
            return
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
