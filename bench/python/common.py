"""Shared pieces of the Python side of bench/compare.sh: options, percentiles, the JSON report.

The report has the same keys as `taskiq-run bench --json`, and percentiles use the same
nearest-rank rule (sorted[ceil(p/100*n) - 1]), so the two sides are comparable.
"""
import argparse
import json
import math
import os
import resource
import sys
import time


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-n", "--tasks", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--payload", type=int, default=32)
    parser.add_argument("--mode", choices=["throughput", "latency", "open-loop", "depth"], default="throughput")
    parser.add_argument("--rate", type=float, default=None, help="tasks kicked per second (open-loop mode)")
    parser.add_argument("-w", "--workers", type=int, default=1, help="worker processes (taskiq worker -w N)")
    parser.add_argument("--broker-pid", type=int, default=None,
                        help="depth mode: the broker server's process, whose resident memory growth is reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.broker_pid is not None and args.mode != "depth":
        parser.error("--broker-pid goes with --mode depth")
    if (args.mode == "open-loop") != (args.rate is not None):
        parser.error("--rate goes with --mode open-loop, and open-loop needs it")
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate must be positive")
    if args.mode in ("latency", "open-loop"):
        args.concurrency = 1
    args.concurrency = max(1, min(args.concurrency, args.tasks))
    return args


def resident_bytes(pid):
    """VmRSS of process `pid` from /proc, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise SystemExit(f"/proc/{pid}/status has no VmRSS line")


def nearest_rank(sorted_samples, percent):
    rank = math.ceil(percent / 100 * len(sorted_samples))
    return sorted_samples[max(rank, 1) - 1]


class Usage:
    """CPU seconds of this process and its reaped children, and their peak RSS."""

    def __init__(self):
        me = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.self_cpu = me.ru_utime + me.ru_stime
        self.cpu = self.self_cpu + children.ru_utime + children.ru_stime
        self.self_rss = me.ru_maxrss * 1024
        self.children_rss = children.ru_maxrss * 1024


def nearest_rank_per_mille(sorted_samples, per_mille):
    rank = -(-per_mille * len(sorted_samples) // 1000)  # ceil in integers, as the Swift side
    return sorted_samples[max(rank, 1) - 1]


def tree_usage(pid):
    """CPU seconds and peak RSS (VmHWM, bytes) of a live process and all its descendants, from /proc.

    taskiq's worker does not exit on SIGTERM within seconds (ZeroMQ and Redis alike), so the bench
    kills its process group; a killed grandchild is reaped by init, never by us, and its usage would
    be missing from RUSAGE_CHILDREN. Sampling the tree just before stopping it keeps it counted."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu, peak, stack = 0.0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
            for thread in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{thread}/children") as handle:
                    stack += [int(child) for child in handle.read().split()]
        except (OSError, ValueError, IndexError):
            pass
    return cpu, peak


def report(broker, args, seconds, completed, errors, drops, samples_ns, start_usage, send_seconds=None, notes=(),
           extra=None, worker_usage=None):
    end = Usage()
    if worker_usage is not None:
        # This process plus the sampled worker tree, instead of RUSAGE_CHILDREN (see tree_usage).
        end.cpu = end.self_cpu + worker_usage[0] + (start_usage.cpu - start_usage.self_cpu)
        end.children_rss = worker_usage[1]
    samples = sorted(samples_ns)

    def ms(value):
        return None if value is None else round(value / 1e6, 6)

    p = (lambda percent: nearest_rank(samples, percent)) if samples else (lambda percent: None)
    result = {
        "broker": broker,
        "mode": args.mode,
        "tasks": args.tasks,
        "concurrency": args.concurrency,
        "payload_bytes": args.payload,
        "seconds": round(seconds, 6),
        "tasks_per_s": round(completed / seconds, 1) if seconds > 0 else 0,
        "completed": completed,
        "p50_ms": ms(p(50)),
        "p90_ms": ms(p(90)),
        "p99_ms": ms(p(99)),
        "p999_ms": ms(nearest_rank_per_mille(samples, 999) if samples else None),
        "max_ms": ms(samples[-1] if samples else None),
        "errors": errors,
        "drops": drops,
        "cpu_s": round(end.cpu - start_usage.cpu, 3),
        "peak_rss_mb": round(max(end.self_rss, end.children_rss) / 1048576, 1),
        "self_peak_rss_mb": round(end.self_rss / 1048576, 1),
        "worker_peak_rss_mb": round(end.children_rss / 1048576, 1),
    }
    if send_seconds is not None:
        result["send_seconds"] = round(send_seconds, 6)
        result["sent_per_s"] = round(args.tasks / send_seconds, 1) if send_seconds > 0 else 0
    if args.mode == "open-loop":
        result["target_rate_per_s"] = round(args.rate, 1)
    result.update(extra or {})
    result["notes"] = list(notes)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:20} {value}")
    sys.stdout.flush()


class Counters:
    def __init__(self, total):
        self.total = total
        self.next = 0
        self.errors = 0

    def claim(self):
        if self.next >= self.total:
            return False
        self.next += 1
        return True


def realtime_ns():
    return time.clock_gettime_ns(time.CLOCK_REALTIME)


def write_report(path, executed, last_ns):
    """Writes a worker report atomically, in the format the Swift bench's workers use."""
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        json.dump({"executed": executed, "last_completion_ns": last_ns, "failed": 0, "received": 0}, handle)
    os.replace(temporary, path)


def read_report(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


async def open_loop(rate, total, kick_and_wait):
    """Kicks task i at start + i / rate whatever the completions, each in its own asyncio task,
    and measures each latency from the moment the task was due (no coordinated omission), as the
    Swift side does. `kick_and_wait()` returns True when the task failed.

    Returns (samples_ns, seconds to the last completion, errors, seconds the schedule took)."""
    import asyncio

    samples = []
    errors = 0
    start = time.perf_counter_ns()
    interval = 1e9 / rate

    async def one(due):
        nonlocal errors
        try:
            if await kick_and_wait():
                errors += 1
        except Exception:
            errors += 1
        samples.append(time.perf_counter_ns() - due)

    tasks = []
    for index in range(total):
        due = start + int(index * interval)
        delay = (due - time.perf_counter_ns()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    send_seconds = (time.perf_counter_ns() - start) / 1e9
    await asyncio.gather(*tasks)
    return samples, (time.perf_counter_ns() - start) / 1e9, errors, send_seconds
