"""Kicks examples.relay(1, 2, "<queue>") (argv[1], the stream the follow-up goes to) through
otel_tasks' traced broker; prints "kicked <task_id>". The send span goes to OTEL_SPANS_FILE."""
import asyncio
import sys

from taskiq.kicker import AsyncKicker

from otel_tasks import broker


async def main() -> None:
    await broker.startup()
    kicked = await AsyncKicker("examples.relay", broker, {}).kiq(1, 2, sys.argv[1])
    print("kicked", kicked.task_id, flush=True)
    await broker.shutdown()


asyncio.run(main())
