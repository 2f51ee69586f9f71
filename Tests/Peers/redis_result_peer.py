"""Python side of the Redis result backend interop tests (taskiq-redis RedisAsyncResultBackend).

    redis_result_peer.py read  URL TASK_ID [PREFIX]   -> prints "result <json>" (model_dump(mode="json"))
    redis_result_peer.py write URL TASK_ID ok|error [PREFIX] -> stores a result, prints "written"
    redis_result_peer.py progress URL TASK_ID [PREFIX] -> prints "progress <json>"
    redis_result_peer.py error URL TASK_ID [PREFIX]    -> prints "error [class, module, args, is Exception]"

Both sides use JSONSerializer: taskiq-redis pickles by default, which the Swift side cannot read.
"""
import asyncio
import json
import sys

from taskiq import TaskiqResult
from taskiq.serializers import JSONSerializer
from taskiq_redis import RedisAsyncResultBackend


async def main() -> None:
    command, url, task_id = sys.argv[1:4]
    extra = sys.argv[4:]
    kind = extra.pop(0) if command == "write" else None
    prefix = extra[0] if extra else None
    backend = RedisAsyncResultBackend(url, serializer=JSONSerializer(), prefix_str=prefix)
    await backend.startup()
    try:
        if command == "read":
            result = await backend.get_result(task_id)
            print("result " + json.dumps(result.model_dump(mode="json")), flush=True)
        elif command == "error":
            error = (await backend.get_result(task_id)).error
            described = [type(error).__name__, type(error).__module__, list(error.args), isinstance(error, Exception)]
            print("error " + json.dumps(described), flush=True)
        elif command == "progress":
            progress = await backend.get_progress(task_id)
            print("progress " + json.dumps(None if progress is None else progress.model_dump(mode="json")), flush=True)
        elif command == "write":
            if kind == "ok":
                result = TaskiqResult(is_err=False, return_value=3, execution_time=0.25, labels={"mylabel": 1})
            else:
                result = TaskiqResult(is_err=True, return_value=None, execution_time=0.0, labels={},
                                      error=ValueError("bad value", 7))
            await backend.set_result(task_id, result)
            print("written", flush=True)
        else:
            raise SystemExit(f"unknown command {command}")
    finally:
        await backend.shutdown()


asyncio.run(main())
