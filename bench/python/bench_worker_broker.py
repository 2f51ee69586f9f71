"""Python taskiq 0.13 with worker processes (`taskiq worker -w N`, --workers): ZeroMQ, Redis streams
or RabbitMQ (taskiq-aio-pika, results in Redis as with Redis streams).

The producer runs here; it starts the worker, kicks `taskiq.bench.mark` until the worker reports
(so start-up is not timed), then kicks TASKS no-op tasks from CONCURRENCY producers.

- zmq: ZeroMQ carries no results, so producers only send; the worker's own count gives
  completions and drops, and tasks/s is completions up to the worker's last one.
- redis: stream broker + JSON result backend; producers await each result, polling Redis
  every 1 ms in latency mode and every 10 ms in throughput mode (taskiq's default 0.2 s would
  dominate the latency; 64 producers polling every 1 ms swamp Redis and the event loop).
- open-loop (--rate): tasks kicked on a fixed schedule, latency from each task's due time; Redis
  results are polled every 1 ms, as in latency mode.
- depth: every task queued with no worker running, the broker's memory read (Redis used_memory, or
  with --broker-pid the resident memory of that server process, any broker), then the workers
  started and the drain timed from their start (start-up included) to the last completion.
- BENCH_RESULTS=redis gives the ZeroMQ and NATS brokers a Redis result backend (BENCH_REDIS_URL), so their
  producers await results as with Redis and RabbitMQ (open-loop latency needs them).

Each worker process writes its own report file (REPORT.<pid>); the counts are summed.
"""
import asyncio
import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

import common

KIND = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1] in ("zmq", "redis", "rabbitmq", "nats", "nats_jetstream") else "zmq"
os.environ["BENCH_BROKER"] = KIND
REPORT = os.path.join(tempfile.gettempdir(), f"taskiq-pybench-{os.getpid()}.json")
os.environ["TASKIQ_BENCH_REPORT"] = REPORT

import bench_tasks  # noqa: E402  (reads the environment set above)


def start_worker(workers=1):
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen(
        [sys.executable, "-m", "taskiq", "worker", "bench_tasks:broker", "-w", str(workers), "--log-level", "WARNING"],
        cwd=here, env={**os.environ, "PYTHONPATH": here}, start_new_session=True)


def stop_worker(worker):
    """Samples the worker tree's CPU and peak RSS, then SIGTERM, then SIGKILL to the worker's process
    group after 3 s: taskiq's ZeroMQ and Redis workers hang in their blocking receive on shutdown
    (every run waited the full timeout). The counts come from the mark reports, so nothing is lost.
    Returns the sampled (cpu seconds, peak RSS bytes)."""
    usage = common.tree_usage(worker.pid)
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=3)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    return usage


def clear_reports():
    for path in glob.glob(REPORT + ".*"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def read_reports():
    """Every worker process's report, summed: (processes reporting, {executed, last_completion_ns})."""
    reports = [common.read_report(path) for path in glob.glob(REPORT + ".*") if not path.endswith(".tmp")]
    reports = [report for report in reports if report is not None]
    total = {"executed": sum(r["executed"] for r in reports),
             "last_completion_ns": max((r["last_completion_ns"] for r in reports), default=0)}
    return len(reports), total


async def await_report(timeout, workers=1):
    """Kicks a mark per worker every 200 ms until every worker has written its report; returns
    the summed report or None."""
    clear_reports()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _ in range(workers):
            await bench_tasks.mark.kiq()
        retry = min(time.monotonic() + 0.2, deadline)
        while time.monotonic() < retry:
            count, report = read_reports()
            if count >= workers:
                return report
            await asyncio.sleep(0.002)
    return None


async def producer(counters, payload, samples, await_results, poll_interval):
    while counters.claim():
        kicked = time.perf_counter_ns()
        try:
            task = await bench_tasks.noop.kiq(payload)
            if await_results:
                result = await task.wait_result(check_interval=poll_interval, timeout=60)
                if result.is_err:
                    counters.errors += 1
        except Exception:
            counters.errors += 1
        samples.append(time.perf_counter_ns() - kicked)


async def drain(args, start_ns, timeout):
    """Asks the workers until their summed count reaches the tasks or stops growing."""
    previous, stalled = -1, 0
    last_report = {"executed": 0, "last_completion_ns": start_ns}
    while stalled < 3:
        report = await await_report(timeout, args.workers)
        if report is not None:
            last_report = report
        if last_report["executed"] >= args.tasks:
            break
        stalled = stalled + 1 if last_report["executed"] == previous else 0
        previous = last_report["executed"]
    return last_report


def final_report(last_report):
    count, exit_report = read_reports()
    clear_reports()
    return exit_report if count and exit_report["executed"] >= last_report["executed"] else last_report


async def depth(args, payload):
    """Queues every task with no worker, reads the broker's memory, then times the workers' drain."""
    if args.broker_pid is not None:
        async def memory():
            return common.resident_bytes(args.broker_pid)
        what, close = f"the resident memory (VmRSS) of the server's process {args.broker_pid}", None
    else:
        import redis.asyncio

        client = redis.asyncio.from_url(bench_tasks.url)

        async def memory():
            return (await client.info("memory"))["used_memory"]
        what, close = "Redis used_memory", client.aclose
    usage = common.Usage()
    before = await memory()
    counters = common.Counters(args.tasks)
    start = time.perf_counter()
    await asyncio.gather(*(producer(counters, payload, [], False, 0) for _ in range(args.concurrency)))
    send_seconds = time.perf_counter() - start
    queued = await memory()
    if close:
        await close()
    start_ns = common.realtime_ns()
    worker = start_worker(args.workers)
    worker_usage = None
    try:
        last_report = await drain(args, start_ns, 30)
    finally:
        clear_reports()
        worker_usage = stop_worker(worker)
    final = final_report(last_report)
    await bench_tasks.broker.shutdown()
    executed = final["executed"]
    queued_tasks = args.tasks - counters.errors
    drain_seconds = max(0, final["last_completion_ns"] - start_ns) / 1e9
    common.report(KIND, args, drain_seconds, executed, counters.errors, max(0, queued_tasks - executed), [], usage,
                  send_seconds=send_seconds, worker_usage=worker_usage,
                  extra={"broker_memory_before_bytes": before, "broker_memory_queued_bytes": queued,
                         "broker_bytes_per_queued_task": round((queued - before) / max(1, queued_tasks), 1),
                         "drain_seconds": round(drain_seconds, 6),
                         "drain_per_s": round(executed / drain_seconds, 1) if drain_seconds > 0 else 0},
                  notes=[f"depth mode: every task queued with no worker running; broker memory is {what} "
                         f"growth; tasks_per_s is the drain from starting {args.workers} worker process(es) "
                         f"(start-up included) to the last completion"])


async def main():
    args = common.parse_args(__doc__)
    payload = "x" * args.payload
    await bench_tasks.broker.startup()
    if args.mode == "depth":
        if KIND != "redis" and args.broker_pid is None:
            raise SystemExit("depth mode needs redis or --broker-pid")
        return await depth(args, payload)
    usage = common.Usage()
    worker = start_worker(args.workers)
    try:
        if await await_report(60, args.workers) is None:
            raise SystemExit("the worker did not start within 60 s")
        await_results = KIND in ("redis", "rabbitmq") or os.environ.get("BENCH_RESULTS") == "redis"
        counters = common.Counters(args.tasks)
        samples = []
        start_ns = common.realtime_ns()
        start = time.perf_counter()
        poll_interval = 0.001 if args.concurrency == 1 else 0.01
        open_loop_send = None
        if args.mode == "open-loop":
            async def kick_and_wait():
                task = await bench_tasks.noop.kiq(payload)
                if await_results:
                    return (await task.wait_result(check_interval=poll_interval, timeout=60)).is_err
                return False

            samples, _, counters.errors, open_loop_send = await common.open_loop(args.rate, args.tasks, kick_and_wait)
        else:
            await asyncio.gather(*(producer(counters, payload, samples, await_results, poll_interval)
                                   for _ in range(args.concurrency)))
        send_seconds = time.perf_counter() - start
        previous, stalled = -1, 0
        last_report = {"executed": 0, "last_completion_ns": start_ns}
        while stalled < 3:
            report = await await_report(5, args.workers)
            if report is not None:
                last_report = report
            if last_report["executed"] >= args.tasks:
                break
            stalled = stalled + 1 if last_report["executed"] == previous else 0
            previous = last_report["executed"]
    finally:
        clear_reports()
        worker_usage = stop_worker(worker)
    final = final_report(last_report)
    await bench_tasks.broker.shutdown()
    executed = final["executed"]
    if await_results:
        common.report(KIND, args, send_seconds, len(samples) - counters.errors, counters.errors,
                      max(0, args.tasks - executed), samples, usage, send_seconds=open_loop_send,
                      worker_usage=worker_usage)
    else:
        seconds = max(0, final["last_completion_ns"] - start_ns) / 1e9
        common.report(KIND, args, seconds, executed, counters.errors, max(0, args.tasks - executed), [], usage,
                      send_seconds=send_seconds, worker_usage=worker_usage,
                      notes=["no result backend shared with the worker: tasks_per_s counts the worker's executions "
                             "up to its last completion; latency is not measured"])


if __name__ == "__main__":
    asyncio.run(main())
