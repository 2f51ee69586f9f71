"""Kicks examples.add(1, 2) and examples.add(a=3, b=4) with taskiq-redis; prints "kicked <task_id>" per task."""
import asyncio

from redis_tasks import add, broker


async def main() -> None:
    await broker.startup()
    for kicked in (await add.kiq(1, 2), await add.kicker().kiq(a=3, b=4)):
        print("kicked", kicked.task_id, flush=True)
    await broker.shutdown()


asyncio.run(main())
