"""Python taskiq 0.13 with one worker process (`taskiq worker -w 1`): ZeroMQ or Redis streams.

The producer runs here; it starts the worker, kicks `taskiq.bench.mark` until the worker reports
(so start-up is not timed), then kicks TASKS no-op tasks from CONCURRENCY producers.

- zmq: ZeroMQ carries no results, so producers only send; the worker's own count gives
  completions and drops, and tasks/s is completions up to the worker's last one.
- redis: stream broker + JSON result backend; producers await each result, polling Redis
  every 1 ms in latency mode and every 10 ms in throughput mode (taskiq's default 0.2 s would
  dominate the latency; 64 producers polling every 1 ms swamp Redis and the event loop).
"""
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time

import common

KIND = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1] in ("zmq", "redis") else "zmq"
os.environ["BENCH_BROKER"] = KIND
REPORT = os.path.join(tempfile.gettempdir(), f"taskiq-pybench-{os.getpid()}.json")
os.environ["TASKIQ_BENCH_REPORT"] = REPORT

import bench_tasks  # noqa: E402  (reads the environment set above)


def start_worker():
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen(
        [sys.executable, "-m", "taskiq", "worker", "bench_tasks:broker", "-w", "1", "--log-level", "WARNING"],
        cwd=here, env={**os.environ, "PYTHONPATH": here}, start_new_session=True)


def stop_worker(worker):
    """SIGTERM, then SIGKILL to the worker's process group after 10 s: taskiq's ZeroMQ worker can
    hang in its blocking receive on shutdown."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


async def await_report(timeout):
    """Kicks marks every 200 ms until the worker writes its report; returns it or None."""
    try:
        os.unlink(REPORT)
    except FileNotFoundError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await bench_tasks.mark.kiq()
        retry = min(time.monotonic() + 0.2, deadline)
        while time.monotonic() < retry:
            report = common.read_report(REPORT)
            if report is not None:
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


async def main():
    args = common.parse_args(__doc__)
    payload = "x" * args.payload
    await bench_tasks.broker.startup()
    usage = common.Usage()
    worker = start_worker()
    try:
        if await await_report(60) is None:
            raise SystemExit("the worker did not start within 60 s")
        await_results = KIND == "redis"
        counters = common.Counters(args.tasks)
        samples = []
        start_ns = common.realtime_ns()
        start = time.perf_counter()
        poll_interval = 0.001 if args.concurrency == 1 else 0.01
        await asyncio.gather(*(producer(counters, payload, samples, await_results, poll_interval)
                               for _ in range(args.concurrency)))
        send_seconds = time.perf_counter() - start
        previous, stalled = -1, 0
        last_report = {"executed": 0, "last_completion_ns": start_ns}
        while stalled < 3:
            report = await await_report(5)
            if report is not None:
                last_report = report
            if last_report["executed"] >= args.tasks:
                break
            stalled = stalled + 1 if last_report["executed"] == previous else 0
            previous = last_report["executed"]
    finally:
        try:
            os.unlink(REPORT)
        except FileNotFoundError:
            pass
        stop_worker(worker)
    exit_report = common.read_report(REPORT)
    final = exit_report if exit_report and exit_report["executed"] >= last_report["executed"] else last_report
    await bench_tasks.broker.shutdown()
    executed = final["executed"]
    if await_results:
        common.report(KIND, args, send_seconds, len(samples) - counters.errors, counters.errors,
                      max(0, args.tasks - executed), samples, usage)
    else:
        seconds = max(0, final["last_completion_ns"] - start_ns) / 1e9
        common.report(KIND, args, seconds, executed, counters.errors, max(0, args.tasks - executed), [], usage,
                      send_seconds=send_seconds,
                      notes=["no result backend shared with the worker: tasks_per_s counts the worker's executions "
                             "up to its last completion; latency is not measured"])


if __name__ == "__main__":
    asyncio.run(main())
