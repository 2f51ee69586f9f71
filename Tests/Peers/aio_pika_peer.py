"""taskiq-aio-pika 0.6.1 as the other side of the Swift RabbitMQ broker tests.

  aio_pika_peer.py kick URL N     kicks N messages (task wirefacts.add, labels priority/custom),
                                  printing "KICKED <task_id>" after each confirmed publish
  aio_pika_peer.py listen URL N   consumes N messages as a taskiq worker process would,
                                  printing "BODY <message json>" for each, and acks them
"""
import asyncio
import sys
import uuid

from taskiq import BrokerMessage
from taskiq_aio_pika import AioPikaBroker


async def main(mode: str, url: str, count: int) -> None:
    broker = AioPikaBroker(url=url)
    broker.is_worker_process = mode == "listen"
    await broker.startup()
    try:
        if mode == "kick":
            for index in range(count):
                task_id = uuid.uuid4().hex
                body = ('{"task_id": "%s", "task_name": "wirefacts.add", "labels": {"priority": "5", "custom": "hello"}, '
                        '"labels_types": {"priority": 2, "custom": 3}, "args": [%d, 4], "kwargs": {}}') % (task_id, index)
                await broker.kick(BrokerMessage(task_id=task_id, task_name="wirefacts.add", message=body.encode(),
                                                labels={"priority": "5", "custom": "hello"}))
                print("KICKED " + task_id, flush=True)
        else:
            print("LISTENING", flush=True)
            seen = 0
            async for message in broker.listen():
                print("BODY " + message.data.decode(), flush=True)
                await message.ack()
                seen += 1
                if seen == count:
                    break
    finally:
        await broker.shutdown()
    print("DONE", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
