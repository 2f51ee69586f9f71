"""A pyzmq peer for the ZMTP interop tests.

Prints one line per event on stdout (flushed), so the Swift test can synchronise on lines
instead of sleeping:
  bound <endpoint>          after bind (port 0 is resolved)
  subscribed <hex>          (xpub) a subscription arrived
  recv <n> <len,len,...> <first frame as text>
  sent <n>                  after the last send
  done
"""
import argparse
import sys

import zmq


def say(*words):
    print(*words, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["push", "pull", "xpub", "sub"])
    parser.add_argument("--bind")
    parser.add_argument("--connect")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--topic", default="")
    parser.add_argument("--prefix", default="msg")
    parser.add_argument("--big", type=int, default=300, help="size of the second frame")
    args = parser.parse_args()

    context = zmq.Context()
    kind = {"push": zmq.PUSH, "pull": zmq.PULL, "xpub": zmq.XPUB, "sub": zmq.SUB}[args.role]
    socket = context.socket(kind)
    socket.setsockopt(zmq.LINGER, 5000)
    if args.role == "sub":
        socket.setsockopt(zmq.SUBSCRIBE, args.topic.encode())
    if args.bind:
        socket.bind(args.bind)
        say("bound", socket.getsockopt(zmq.LAST_ENDPOINT).decode())
    if args.connect:
        socket.connect(args.connect)

    if args.role in ("push", "xpub"):
        if args.role == "xpub":
            subscription = socket.recv()
            say("subscribed", subscription.hex())
        for index in range(args.count):
            topic = args.topic if args.role == "xpub" else ""
            socket.send_multipart([f"{topic}{args.prefix}-{index}".encode(), b"x" * args.big])
        say("sent", args.count)
    else:
        socket.setsockopt(zmq.RCVTIMEO, 20000)
        for _ in range(args.count):
            parts = socket.recv_multipart()
            say("recv", len(parts), ",".join(str(len(p)) for p in parts), parts[0].decode(errors="replace"))
    socket.close()
    context.term()
    say("done")


if __name__ == "__main__":
    sys.exit(main())
