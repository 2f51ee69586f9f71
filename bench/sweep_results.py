"""Turns the raw runs of one sweep (bench/sweep.sh) into bench/results/<sweep>.json.

The file holds the conditions of the run, every point (group, x, each side's medians over the runs
that did not fail, and the raw runs), and the charts' series, which `taskiq-run bench chart` draws.
Series: one color per broker (or per percentile), Swift solid, Python dashed; every broker the
sweep ran is charted.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

BROKERS = {"inmemory": "in-memory", "zeromq": "ZeroMQ", "redis": "Redis", "rabbitmq": "RabbitMQ",
           "nats": "NATS core", "nats_jetstream": "NATS JetStream"}
# One color per broker, the same in every chart.
COLORS = {group: index for index, group in enumerate(BROKERS)}


def groups(points):
    """The brokers the points cover, in BROKERS order."""
    present = {p["group"] for p in points}
    return [group for group in BROKERS if group in present]
ZMQ_NOTE = " (Swift push_pull, Python pub_sub)"


def load_points(raw):
    seen, points = set(), []
    for line in open(os.path.join(raw, "points")):
        group, x = line.rstrip("\n").split("\t")
        if (group, x) in seen:
            continue
        seen.add((group, x))
        point = {"group": group, "x": x}
        for side in ("swift", "python"):
            path = os.path.join(raw, f"{group}@{x}.{side}")
            rows = [json.loads(row) for row in open(path) if row.strip()] if os.path.exists(path) else []
            good = [row for row in rows if not row.get("failed")]
            medians = {}
            for key in {key for row in good for key in row}:
                values = [row[key] for row in good if isinstance(row.get(key), (int, float))
                          and not isinstance(row.get(key), bool)]
                if values:
                    medians[key] = statistics.median(values)
            point[side] = medians or None
            point[f"{side}_runs"] = rows
            point[f"{side}_failed_runs"] = len(rows) - len(good)
        points.append(point)
    return points


def suspect_runs(points):
    """Runs whose count does not add up: more completions than tasks kicked (something left in the
    queue by an earlier run was executed: the runs are not independent), or errors and drops."""
    for point in points:
        for side in ("swift", "python"):
            for index, run in enumerate(point[f"{side}_runs"], 1):
                tasks, completed = run.get("tasks"), run.get("completed")
                where = f"{point['group']} x={point['x']} {side} run {index}"
                if tasks is not None and completed is not None and completed > tasks:
                    yield f"{where}: {completed} completed of {tasks} kicked (leftovers from another run?)"
                if run.get("errors") or run.get("drops"):
                    yield f"{where}: {run.get('errors')} errors, {run.get('drops')} drops"


def value(point, side, key, scale=1.0):
    medians = point.get(side)
    if not medians or medians.get(key) is None:
        return None
    return medians[key] * scale


def series(points, group, side, key, name, color, x_of=lambda p: float(p["x"]), scale=1.0):
    rows = [p for p in points if p["group"] == group and p["x"] != "max"]
    return {"name": name, "color": color, "dashed": side == "python",
            "points": [[x_of(p), value(p, side, key, scale)] for p in rows]}


def without_empty_series(charts):
    """The charts without series that have no value at all (a side a sweep skips), so the legend
    names only what is drawn."""
    for chart in charts:
        chart["series"] = [s for s in chart["series"] if any(y is not None for _, y in s["points"])]
    return charts


def payload_charts(points):
    charts = []
    for key, label, title, scale_of in (
            ("tasks_per_s", "tasks/s", "Throughput by payload size (results awaited where the backend is shared)", None),
            ("tasks_per_s", "MB/s of payload", "Payload bytes moved per second", "mb")):
        chart = {"title": title, "x_label": "payload per task (bytes, log)", "y_label": f"{label} (log)",
                 "x_scale": "log", "y_scale": "log", "series": []}
        for group in groups(points):
            color = COLORS[group]
            for side in ("swift", "python"):
                name = f"{side.capitalize()} {BROKERS[group]}"
                rows = [p for p in points if p["group"] == group]
                pts = []
                for p in rows:
                    y = value(p, side, key)
                    if y is not None and scale_of == "mb":
                        y = y * float(p["x"]) / 1e6
                    pts.append([float(p["x"]), y])
                chart["series"].append({"name": name, "color": color, "dashed": side == "python", "points": pts})
        charts.append(chart)
    return charts


def workers_charts(points):
    charts = []
    for key, label, title, scale in (("tasks_per_s", "tasks/s", "Worker processes on one broker server", 1.0),
                                     ("cpu_us_per_task", "CPU µs per task (producer + workers)", "CPU per task", 1.0)):
        chart = {"title": title, "x_label": "worker processes", "y_label": f"{label} (log)", "x_scale": "log",
                 "y_scale": "log", "series": []}
        for group in groups(points):
            for side in ("swift", "python"):
                chart["series"].append(series(points, group, side, key, f"{side.capitalize()} {BROKERS[group]}",
                                              COLORS[group], scale=scale))
        charts.append(chart)
    return charts


def openloop_charts(points):
    charts = []
    for group in groups(points):
        chart = {"title": f"{BROKERS[group]}: open-loop latency against offered load (25/50/90% of each side's max)",
                 "x_label": "offered tasks/s (log)", "y_label": "latency from due time, ms (log)",
                 "x_scale": "log", "y_scale": "log", "series": []}
        for side in ("swift", "python"):
            for color, (key, name) in enumerate((("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9"))):
                rows = [p for p in points if p["group"] == group and p["x"] != "max"]
                chart["series"].append({"name": f"{side.capitalize()} {name}", "color": color, "dashed": side == "python",
                                        "points": [[value(p, side, "target_rate_per_s"), value(p, side, key)]
                                                   for p in rows if value(p, side, "target_rate_per_s") is not None]})
        charts.append(chart)
    return charts


def depth_charts(points):
    charts = []
    for key, label, title, y_scale in (
            ("broker_bytes_per_queued_task", "bytes per queued task",
             "Broker memory per queued task (Redis used_memory growth; RabbitMQ, NATS: server RSS growth)", "linear"),
            ("drain_per_s", "tasks/s (log)", "Drain rate of the backlog (1 worker, start-up included)", "log"),
            ("worker_peak_rss_mb", "MiB", "Worker peak RSS while draining", "linear")):
        chart = {"title": title, "x_label": "queued tasks (log)", "y_label": label, "x_scale": "log",
                 "y_scale": y_scale, "series": []}
        for group in groups(points):
            for side in ("swift", "python"):
                chart["series"].append(series(points, group, side, key, f"{side.capitalize()} {BROKERS[group]}",
                                              COLORS[group]))
        charts.append(chart)
    return charts


def add_derived(points):
    for p in points:
        for side in ("swift", "python"):
            m = p.get(side)
            if m and m.get("completed"):
                m["cpu_us_per_task"] = m.get("cpu_s", 0) / m["completed"] * 1e6
                if "payload_bytes" in m:
                    m["payload_mb_per_s"] = m.get("tasks_per_s", 0) * m["payload_bytes"] / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sweep")
    parser.add_argument("raw")
    parser.add_argument("output")
    for option in ("started", "load-before", "load-after", "runs", "scale", "duration", "commit"):
        parser.add_argument(f"--{option}")
    args = parser.parse_args()
    points = load_points(args.raw)
    for warning in suspect_runs(points):
        print(f"sweep_results: {args.sweep}: {warning}", file=sys.stderr)
    add_derived(points)
    charts = {"payload": payload_charts, "workers": workers_charts, "openloop": openloop_charts,
              "depth": depth_charts}[args.sweep](points)
    try:
        swift_version = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        swift_version = None
    document = {
        "sweep": args.sweep,
        "conditions": {
            "started": args.started, "commit": args.commit, "runs_per_point": int(args.runs),
            "scale": float(args.scale), "open_loop_seconds": float(args.duration),
            "load_before": args.load_before.strip(), "load_after": args.load_after.strip(),
            "cpus": os.cpu_count(), "kernel": platform.release(), "swift": swift_version,
            "note": "medians over the runs that did not fail; x is the group's parameter "
                    "(payload bytes, worker processes, % of the closed-loop max or 'max', queued tasks)"
                    + (ZMQ_NOTE if args.sweep == "payload" else ""),
        },
        "points": points,
        "charts": without_empty_series(charts),
    }
    with open(args.output, "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
