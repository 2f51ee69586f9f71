#!/usr/bin/env python3
"""Writes the seed corpus in fuzz/corpus/ from the byte vectors in the reference notes.

Run from the repository root after changing a vector: python3 fuzz/corpus/generate.py
The outputs are committed; CI only reads them. See fuzz/README.md for each target's input format.
"""
import os
import shutil

ROOT = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# message: raw JSON as a broker delivers it or a result backend stores it
# (taskiq-python.md §1.3 and §2.2, observed from Python taskiq 0.13).
ID = "0123456789abcdef0123456789abcdef"
messages = {
    "kiq-typed-labels": '{"task_id": "%s", "task_name": "exp11:add", "labels": {"priority": "5", "retry_on_error": "True"}, "labels_types": {"priority": 2, "retry_on_error": 5}, "args": [1, 2], "kwargs": {}}' % ID,
    "kiq-float-label-kwarg": '{"task_id": "%s", "task_name": "exp11:add", "labels": {"priority": "5", "retry_on_error": "True", "delay": "1.5"}, "labels_types": {"priority": 2, "retry_on_error": 5, "delay": 4}, "args": [1], "kwargs": {"b": "\\u00e9"}}' % ID,
    "kiq-no-labels": '{"task_id": "c9cc5ce1b2b14c8d928c14c37fc98200", "task_name": "myapp:add", "labels": {}, "labels_types": {}, "args": [1, 2], "kwargs": {}}',
    "kiq-task-id-queue": '{"task_id": "my-id", "task_name": "myapp:add", "labels": {"priority": "5", "queue_name": "q1"}, "labels_types": {"priority": 2, "queue_name": 3}, "args": [1], "kwargs": {"b": 2}}',
    "kiq-compact": '{"task_id":"%s","task_name":"exp11:add","labels":{"priority":"5","retry_on_error":"True"},"labels_types":{"priority":2,"retry_on_error":5},"args":[1,2],"kwargs":{}}' % ID,
    "kiq-untyped-labels": '{"task_id": "x", "task_name": "m:t", "labels": {"timeout": 5, "tags": ["a", null], "none": "None"}, "labels_types": null, "args": [[{"deep": [1.0e-5, -0, 9007199254740993]}]], "kwargs": {"s": "\\ud83d\\ude00\\n"}}',
    "result-success": '{"is_err": false, "log": null, "return_value": 3, "execution_time": 0.0, "labels": {"mylabel": 1}, "error": null}',
    "result-error": '{"is_err": true, "log": null, "return_value": null, "execution_time": 0.0, "labels": {}, "error": {"exc_type": "ValueError", "exc_message": ["bad value", 7], "exc_module": "builtins", "exc_cause": null, "exc_context": null, "exc_suppress_context": false}}',
    "result-chained-error": '{"is_err": true, "log": null, "return_value": null, "execution_time": 0.0, "labels": {}, "error": {"exc_type": "MyErr", "exc_message": ["outer"], "exc_module": "__main__", "exc_cause": {"exc_type": "KeyError", "exc_message": ["inner"], "exc_module": "builtins", "exc_cause": null, "exc_context": null, "exc_suppress_context": false}, "exc_context": null, "exc_suppress_context": true}}',
    "result-timeout": '{"is_err": true, "log": "took too long", "return_value": null, "execution_time": 0.2, "labels": {"timeout": 0.2}, "error": {"exc_type": "TimeoutError", "exc_message": [], "exc_module": "builtins", "exc_cause": null, "exc_context": null, "exc_suppress_context": false}}',
    "result-non-finite": '{"is_err": false, "log": null, "return_value": [NaN, Infinity, -Infinity, 1e308], "execution_time": NaN, "labels": {}, "error": null}',
}
for name, text in messages.items():
    write("message", name + ".json", text)

# zmtp: a control byte (low nibble: our socket type, index into ZMTPSocketType.allCases
# PAIR PUB SUB REQ REP DEALER ROUTER PULL PUSH XPUB XSUB; high nibble: feed size - 1),
# then what the peer sends (zmtp-and-resp.md Part 1 and the libzmq captures of Part 3(e)).
PUB, SUB, PULL, PUSH = 1, 2, 7, 8


def greeting(minor=1, as_server=0):
    return (bytes.fromhex("ff00000000000000017f") + bytes([3, minor]) + b"NULL" + bytes(16)
            + bytes([as_server]) + bytes(31))


def command(name, data=b""):
    body = bytes([len(name)]) + name + data
    return (bytes([0x04, len(body)]) if len(body) <= 255 else bytes([0x06]) + len(body).to_bytes(8, "big")) + body


def ready(**properties):
    data = b""
    for key, value in properties.items():
        key = key.replace("_", "-").encode()
        data += bytes([len(key)]) + key + len(value).to_bytes(4, "big") + value
    return command(b"READY", data)


def frame(body, more=False):
    flags = 0x01 if more else 0
    if len(body) > 255:
        return bytes([flags | 0x02]) + len(body).to_bytes(8, "big") + body
    return bytes([flags, len(body)]) + body


# libzmq 4.3.5's PUSH, byte for byte, then one message.
libzmq_push = bytes.fromhex(
    "ff00000000000000017f" "03" "014e554c4c" + "00" * 16 + "00" + "00" * 31
    + "041a055245414459" "0b536f636b65742d54797065" "00000004" "50555348")
zmtp = {
    "libzmq-push-to-pull": bytes([PULL]) + libzmq_push + frame(b'{"task_id": "x"}'),
    "libzmq-push-to-pull-bytewise": bytes([PULL | 0x00]) + libzmq_push + frame(b"a", True) + frame(b"") + frame(b"b" * 300),
    "libzmq-sub-subscribe-3.1": bytes([PUB | 0x30]) + greeting() + ready(Socket_Type=b"SUB")
        + bytes.fromhex("040f0953554253435249424574 6f706963".replace(" ", ""))
        + bytes.fromhex("040c0643414e43454c746f706963"),
    "libzmq-sub-subscribe-3.0": bytes([PUB | 0x70]) + greeting(minor=0) + ready(Socket_Type=b"SUB")
        + bytes.fromhex("000601746f706963") + bytes.fromhex("000600746f706963"),
    "libzmq-pull-ping-pong": bytes([PUSH | 0xF0]) + greeting() + ready(Socket_Type=b"PULL")
        + bytes.fromhex("040704504 94e47001e".replace(" ", "")) + bytes.fromhex("04090450 4f4e4763747831".replace(" ", "")),
    "pub-to-sub-multipart-identity": bytes([SUB | 0x20]) + greeting(as_server=1)
        + ready(Socket_Type=b"PUB", Identity=b"me", X_Custom=b"") + frame(b"topic", True) + frame(b"p" * 256),
    "error-during-handshake": bytes([PULL]) + greeting() + command(b"ERROR", bytes([7]) + b"go away"),
    "wrong-socket-type": bytes([PULL | 0x10]) + greeting() + ready(Socket_Type=b"PUB"),
    "unknown-command-after-ready": bytes([PULL | 0x50]) + greeting() + ready(Socket_Type=b"PUSH")
        + command(b"X-HELLO", b"\x00\x01") + bytes.fromhex("02" "0000000000000002" "6869") + frame(b"hi"),
    "zmtp-2.0-peer": bytes([PULL]) + bytes.fromhex("ff00000000000000017f") + bytes([1, 0]),
}
for name, data in zmtp.items():
    write("zmtp", name, data)

# resp: a control byte (bit 0: attach attributes; bits 1-7: append size - 1), then what the
# server sends (zmtp-and-resp.md Part 2, replies seen from Redis 7.0).
resp = {
    "pipelined-set-incr-get": "+OK\r\n:2\r\n$1\r\n2\r\n",
    "errors": "-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n!21\r\nSYNTAX invalid syntax\r\n",
    "hello3-map": "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:6\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
    "blpop-timeout-then-pong": "*-1\r\n+PONG\r\n_\r\n$-1\r\n",
    "resp3-push-subscribe-message": ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n+PONG\r\n",
    "xreadgroup-resp2": "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
    "xreadgroup-resp3-deleted": "%1\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n1-2\r\n_\r\n",
    "xpending-summary": "*4\r\n:2\r\n$3\r\n1-1\r\n$15\r\n1795610171369-0\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n2\r\n*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n",
    "xautoclaim-deleted": "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$15\r\n1795610171369-0\r\n",
    "resp3-scalars": ",1.5\r\n,inf\r\n,-inf\r\n,nan\r\n#t\r\n#f\r\n(3492890328409238509324850943850943825024385\r\n=15\r\ntxt:Some string\r\n:-9223372036854775808\r\n",
    "resp3-set-and-attribute": "~2\r\n+a\r\n+b\r\n|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
}
# Inputs that once crashed a target, kept as seeds next to their regression tests.
resp_found = {
    "found-verbatim-non-ascii-format": b"=15\r\nt\xect:Some string\r\n",  # RESPParserTests.aVerbatimFormatMustBeASCII
}
for name, data in resp_found.items():
    write("resp", name, bytes([0x00]) + data)
controls = {"resp3-set-and-attribute": 0x01, "hello3-map": 0x0E, "xreadgroup-resp2": 0x06, "errors": 0xFF}
for name, text in resp.items():
    write("resp", name, bytes([controls.get(name, 0x00)]) + text.encode())

# amqp: a control byte (each append's size - 1), then what a RabbitMQ server sends
# (rabbitmq-and-nats.md §2.4, frames captured between aio-pika 10.2.1 and RabbitMQ 3.10.8).
amqp = {
    "start-tune-openok": "010000000000" "1c" "000a000a0009" "00000000" "00000005" "504c41494e" "00000005" "656e5f5553" "ce"
        "0100000000000c000a001e07ff0002000000003cce" "01000000000005000a002900ce",
    "channel-open-ok-confirm": "01000100000008" "0014000b" "00000000" "ce" "01000100000004" "0055000b" "ce",
    "confirms-return-close": "0100010000000d003c00500000000000000001" "00ce"
        "01000100000017003c00320138084e4f5f524f555445067461736b697100ce"
        "0100010000000b0014002800c80000000000ce"
        "0100000000001a000a003200c80f6e6f726d616c6c7920636c6f73656400000000ce",
    "publish-header-body": "01000100000015003c00280000067461736b6971067461736b697101ce"
        "0200010000007e003c0000000000000000008d388000000049077461736b5f696453000000203166396331306338346436653430643662336164393630623935626538336133097461736b5f6e616d65530000000d7769726566616374732e6164640200203238653066303230333837383436313239306436366330373030663466613037ce"
        "03000100000003616263ce" "080000000000ce",
    "queue-declare-taskiq": "010001000000770032000a0000067461736b6971020000006516782d646561642d6c65747465722d65786368616e6765530000000019782d646561642d6c65747465722d726f7574696e672d6b657953000000127461736b69712e646561645f6c65747465720c782d71756575652d74797065530000000671756f72756dce",
}
for name, text in amqp.items():
    write("amqp", name, bytes([0x00 if "declare" in name else 0x07]) + bytes.fromhex(text))

# nats: a control byte (each append's size - 1), then what a NATS server sends
# (rabbitmq-and-nats.md §3 and §4, lines seen from nats-server 2.9.10; note the double spaces).
NATS_INFO = ('INFO {"server_id":"NDJWE4SHGZ7VJQXWIQNQ4OSNFBJRSOZBRRBLXQ3ZBTNZZKNPGYBFJ7UM","server_name":"n1",'
             '"version":"2.9.10","proto":1,"go":"go1.19.4","host":"0.0.0.0","port":4222,"headers":true,'
             '"max_payload":1048576,"jetstream":true,"client_id":5,"client_ip":"127.0.0.1"} \r\n')
NATS_TASK = ('{"task_id": "0123456789abcdef0123456789abcdef", "task_name": "exp11:add", "labels": {}, '
             '"labels_types": {}, "args": [10, 2, 3], "kwargs": {}}')
NATS_LABELS = "NATS/1.0\r\npriority: 5\r\ncustom: hello\r\n\r\n"
NATS_TIMEOUT = "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n"
nats = {
    "connect-verbose": NATS_INFO + "+OK\r\nPONG\r\nPING\r\n+OK\r\n",
    "core-delivery": "MSG taskiq_tasks 1 %d\r\n%s\r\n" % (len(NATS_TASK), NATS_TASK)
        + "HMSG taskiq_tasks 1 %d %d\r\n%s%s\r\n" % (len(NATS_LABELS), len(NATS_LABELS) + 5, NATS_LABELS, "hello"),
    "jetstream-pull": "MSG _INBOX.7Yd2bYI5yIcO8Xyqm5O6Ie.tK4fFLZf 1  38\r\n" '{"stream":"taskiq_jetstream", "seq":1}' "\r\n"
        + "HMSG taskiq_tasks 2 $JS.ACK.taskiq_jetstream.taskiq_durable.1.1.1.1796393326933400598.0 12 %d\r\n"
          "NATS/1.0\r\n\r\n%s\r\n" % (12 + len(NATS_TASK), NATS_TASK),
    "status-messages": "HMSG _INBOX.wf.pull 1  28 28\r\nNATS/1.0 404 No Messages\r\n\r\n\r\n"
        + "HMSG _INBOX.wf.pull 1  %d %d\r\n%s\r\n" % (len(NATS_TIMEOUT), len(NATS_TIMEOUT), NATS_TIMEOUT)
        + "HMSG _INBOX.7Yd2bYI5yIcO8Xyqm5O6Ie.x 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
    "errors-and-case": "ping\npong\r\n-ERR 'Invalid Subject'\r\nmsg\ta.b\t 3  _INBOX.r\t0\r\n\r\n"
        "-ERR 'Authorization Violation'\r\n",
    "info-cluster-ldm": 'INFO {"server_id":"N2","proto":1,"headers":true,"auth_required":true,"tls_available":true,'
        '"nonce":"x5Z-q","connect_urls":["10.0.0.2:4222","[::1]:4222"],"ldm":true,"client_id":18446744073709551615}\r\n',
}
controls = {"core-delivery": 0x00, "status-messages": 0x06, "errors-and-case": 0x02}
for name, text in nats.items():
    write("nats", name, bytes([controls.get(name, 0x0F)]) + text.encode())

# config: the example configurations, as users write them.
examples = os.path.join(ROOT, "..", "..", "examples")
for name in ["taskiq.json", "taskiq.dev.json", "taskiq.prod.json", "taskiq.zmq.json"]:
    shutil.copyfile(os.path.join(examples, name), os.path.join(ROOT, "config", name))
write("config", "routes-redis.json", """{"broker": {"type": "inmemory"},
 "brokers": {"fast": {"type": "zeromq", "pattern": "push_pull"}},
 "result_backend": {"type": "redis", "url": "${REDIS_URL:-redis://127.0.0.1:6379}", "prefix_str": "app",
                    "result_px_time": "${PX:-1500}", "keep_results": false},
 "middlewares": [{"type": "simple_retry"}, {"type": "smart_retry", "default_delay": 0.5}],
 "tasks": {"modules": ["examples"], "routes": {"examples.*": "fast"}},
 "worker": {"workers": 2, "log_level": "$${literal}"},
 "schedules": [{"task": "examples.add", "cron": "*/5 * * * *", "args": [1, 2]}]}
""")

# tzif: a control byte (bit 0: 0 a TZif file, 1 a POSIX TZ rule), then the file or the rule:
# zone files of the system database with the rule forms RFC 8536 allows (30-minute DST, date-line
# jumps, a +2h "DST", Ramadan suspensions), and footers with quoted names, negative and >24h times,
# J and zero-based days, and daylight time all year.
for zone in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
             "Africa/Casablanca", "Antarctica/Troll", "UTC"]:
    with open(os.path.join("/usr/share/zoneinfo", zone), "rb") as f:
        write("tzif", "zone-" + zone.replace("/", "-"), bytes([0]) + f.read())
for index, rule in enumerate(["CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30", "EST5EDT,M3.2.0,M11.1.0",
                              "IST-2IDT,M3.4.4/26,M10.5.0", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
                              "EST5EDT,0/0,J365/25", "XXX3YYY,J60/0,300/0"]):
    write("tzif", "rule-%d" % index, bytes([1]) + rule.encode())
# Found by the fuzzer: a version 1 header promising ~6 GB of transitions in a 130-byte file
# (TimeZoneRulesTZifTests.hugeCountsInAVersionOneFileThrowWithoutAllocating).
import base64
write("tzif", "found-v1-huge-counts", base64.b64decode(
    "AFRaaWYAADMAAAQAAAAAAAAAAAAAAAAAAAAAAABKAAAAewAAXwAAAAUAAAAMllGCgoKCgoKCgoKCgoKCgoKCgIKCgoKCJYKCgoKCgoKCgoKC"
    "goKCgoKCgoKCgoKCgoKCgoKCgoKCgoJBk0FBQUEzM4RL3MAooGm/TWYy"))
