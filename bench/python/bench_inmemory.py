"""Python taskiq 0.13 InMemoryBroker: kick no-op tasks and await their results.

Throughput mode: CONCURRENCY producers each kick a task and await its result before the next.
Latency mode: one producer. Open-loop mode: kick at --rate whatever the completions, latency from
each task's due time. Results are awaited with `wait_result(check_interval=0)`: taskiq's
in-memory backend cannot notify, and a zero interval polls by yielding to the event loop once,
the fastest a Python producer can see its result (the default 0.2 s would make Python look
absurdly slow).
"""
import asyncio
import time

from taskiq import InMemoryBroker

import common

broker = InMemoryBroker(max_stored_results=100_000)


@broker.task("taskiq.bench.noop")
async def noop(payload: str) -> int:
    return len(payload)


async def producer(counters, payload, samples):
    while counters.claim():
        kicked = time.perf_counter_ns()
        try:
            task = await noop.kiq(payload)
            result = await task.wait_result(check_interval=0, timeout=30)
            if result.is_err:
                counters.errors += 1
        except Exception:
            counters.errors += 1
        samples.append(time.perf_counter_ns() - kicked)


async def main():
    args = common.parse_args(__doc__)
    payload = "x" * args.payload
    await broker.startup()
    warm = await noop.kiq(payload)
    await warm.wait_result(check_interval=0, timeout=10)
    usage = common.Usage()
    counters = common.Counters(args.tasks)
    samples = []
    send_seconds = None
    if args.mode == "open-loop":
        async def kick_and_wait():
            task = await noop.kiq(payload)
            return (await task.wait_result(check_interval=0, timeout=30)).is_err

        samples, seconds, counters.errors, send_seconds = await common.open_loop(args.rate, args.tasks, kick_and_wait)
    else:
        start = time.perf_counter()
        await asyncio.gather(*(producer(counters, payload, samples) for _ in range(args.concurrency)))
        seconds = time.perf_counter() - start
    await broker.shutdown()
    common.report("inmemory", args, seconds, len(samples) - counters.errors, counters.errors, 0, samples, usage,
                  send_seconds=send_seconds)


if __name__ == "__main__":
    asyncio.run(main())
