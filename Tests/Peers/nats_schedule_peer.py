"""Python side of the NATS schedule source interop tests (taskiq-nats NATSKeyValueScheduleSource).

    nats_schedule_peer.py add URL    -> adds three schedules (cron, interval, past one-off), prints "added"
    nats_schedule_peer.py list URL   -> prints "count N", then "schedule <json>" per schedule (model_dump(mode="json"))
    nats_schedule_peer.py delete URL SCHEDULE_ID -> deletes it, prints "deleted"

Both sides use JSONSerializer: taskiq-nats pickles by default, which the Swift side cannot read.
"""
import asyncio
import datetime
import json
import sys

from taskiq import ScheduledTask
from taskiq.serializers import JSONSerializer
from taskiq_nats import NATSKeyValueScheduleSource


async def main() -> None:
    command, url = sys.argv[1:3]
    source = NATSKeyValueScheduleSource(url, serializer=JSONSerializer())
    await source.startup()
    try:
        if command == "add":
            await source.add_schedule(ScheduledTask(
                task_name="py.cron", labels={"origin": "python"}, args=[1], kwargs={}, schedule_id="py-cron",
                cron="*/5 * * * *", cron_offset="Europe/Berlin"))
            await source.add_schedule(ScheduledTask(
                task_name="py.interval", labels={}, args=[], kwargs={"n": 2}, schedule_id="py-interval",
                interval=datetime.timedelta(minutes=2)))
            await source.add_schedule(ScheduledTask(
                task_name="py.once", labels={}, args=[], kwargs={}, schedule_id="py-once", task_id="fixed",
                time=datetime.datetime(2020, 1, 1, 12, 30, tzinfo=datetime.timezone.utc)))
            print("added", flush=True)
        elif command == "list":
            schedules = await source.get_schedules()
            print(f"count {len(schedules)}", flush=True)
            for schedule in schedules:
                print("schedule " + json.dumps(schedule.model_dump(mode="json")), flush=True)
        elif command == "delete":
            await source.delete_schedule(sys.argv[3])
            print("deleted", flush=True)
        else:
            raise SystemExit(f"unknown command {command}")
    finally:
        await source.shutdown()


asyncio.run(main())
