"""Starts a taskiq-pipelines pipeline whose steps alternate between Python and Swift workers,
waits for it and prints one JSON line: {"result": ..., "is_err": ..., "steps": [...]} where
steps are the stored results of every step in order.

Environment: REDIS_URL; PIPELINE ("mixed" or "failing").
"""
import asyncio
import json
import os

from taskiq.task import AsyncTaskiqTask
from taskiq_pipelines import Pipeline

from pipelines_tasks import broker, py_is_even, py_range, py_square, py_sum, swift


async def main() -> None:
    await broker.startup()
    if os.environ.get("PIPELINE") == "failing":
        # Swift's step fails; Swift's middleware must store its error under the last step's ID.
        pipe = (Pipeline(broker, py_range).call_next(swift("pl.swift_sum")).call_next(swift("pl.swift_fail"))
                .call_next(py_square))
        args = [3]
    else:
        # py_range(4) → Python acts map: swift_square on Swift → [0, 1, 4, 9] → Python acts filter
        # → [0, 4] → swift_sum (Swift) = 4 → Swift acts call_next: swift_range → [0, 1, 2, 3]
        # → Swift acts map: py_square on Python, Swift's collector → [0, 1, 4, 9] → Swift acts
        # filter: py_is_even, Swift's collector → [0, 4] → Swift acts: py_sum = 4
        # → Python acts call_next with a keyword: swift_add(a=4, b=100) = 104
        # → Swift acts call_after: py_range(n=2) ignoring 104 → [0, 1]
        pipe = (
            Pipeline(broker, py_range)
            .map(swift("pl.swift_square"))
            .filter(py_is_even)
            .call_next(swift("pl.swift_sum"))
            .call_next(swift("pl.swift_range"))
            .map(py_square)
            .filter(py_is_even)
            .call_next(py_sum)
            .call_next(swift("pl.swift_add"), param_name="a", b=100)
            .call_after(py_range, n=2)
        )
        args = [4]
    task = await pipe.kiq(*args)
    result = await task.wait_result(timeout=60)
    steps = []
    for step in pipe.steps:
        # Waited for, not read once: a failing step stores the pipeline's error under the last
        # step's ID (on_error) before its own result, in taskiq-pipelines as in Swift, so the
        # pipeline's result can be there a moment before the failed step's.
        stored = await AsyncTaskiqTask(step.task_id, broker.result_backend).wait_result(check_interval=0.05, timeout=30)
        steps.append(None if stored.is_err else stored.return_value)
    print(json.dumps({"result": result.return_value, "is_err": result.is_err,
                      "error": repr(result.error) if result.is_err else None, "steps": steps}))
    await broker.shutdown()


asyncio.run(main())
