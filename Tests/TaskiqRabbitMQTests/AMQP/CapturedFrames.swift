import TaskiqRabbitMQ
import Testing

/// Bytes written as the reference writes them: hex digits with spaces, and `"text"` for ASCII.
func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var pending: UInt8?
    var inQuote = false
    for character in text {
        if character == "\"" {
            inQuote.toggle()
            continue
        }
        if inQuote {
            bytes.append(contentsOf: Array(String(character).utf8))
            continue
        }
        guard let digit = character.hexDigitValue else { continue }
        if let high = pending {
            bytes.append(high << 4 | UInt8(digit))
            pending = nil
        } else {
            pending = UInt8(digit)
        }
    }
    precondition(pending == nil, "odd number of hex digits in \(text)")
    return bytes
}

/// A frame captured between aio-pika 10.2.1 and RabbitMQ 3.10.8 (reference §2.4) and what it means.
struct CapturedFrame: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: [UInt8]
    let frame: AMQPFrame
    var testDescription: String { name }
}

let taskiqQueueArguments: AMQPFieldTable = [
    "x-dead-letter-exchange": .string(""),
    "x-dead-letter-routing-key": .string("taskiq.dead_letter"),
    "x-queue-type": .string("quorum"),
]

let capturedFrames: [CapturedFrame] = [
    CapturedFrame(
        name: "Connection.Open /", bytes: hex("01 0000 00000008 000a0028 012f 00 00 ce"),
        frame: .method(channel: 0, .connectionOpen(virtualHost: "/"))),
    CapturedFrame(
        name: "Channel.Open", bytes: hex("01 0001 00000006 0014000a 01 30 ce"),
        frame: .method(channel: 1, .channelOpen(reserved: "0"))),
    CapturedFrame(
        name: "Confirm.Select", bytes: hex("01 0001 00000005 0055000a 00 ce"),
        frame: .method(channel: 1, .confirmSelect(noWait: false))),
    CapturedFrame(
        name: "Basic.Qos 10", bytes: hex("01 0001 0000000b 003c000a 00000000 000a 00 ce"),
        frame: .method(channel: 1, .basicQos(prefetchSize: 0, prefetchCount: 10, global: false))),
    CapturedFrame(
        name: "Exchange.Declare taskiq", bytes: hex("01 0001 00000018 0028000a 0000 06\"taskiq\" 05\"topic\" 02 00000000 ce"),
        frame: .method(
            channel: 1,
            .exchangeDeclare(
                exchange: "taskiq", type: "topic", passive: false, durable: true,
                autoDelete: false, internal: false, noWait: false, arguments: [:]))),
    CapturedFrame(
        name: "Queue.Declare taskiq.dead_letter",
        bytes: hex("01 0001 00000036 0032000a 0000 12\"taskiq.dead_letter\" 02 00000018 0c\"x-queue-type\" 53 00000006\"quorum\" ce"),
        frame: .method(
            channel: 1,
            .queueDeclare(
                queue: "taskiq.dead_letter", passive: false, durable: true, exclusive: false,
                autoDelete: false, noWait: false, arguments: ["x-queue-type": .string("quorum")]))),
    CapturedFrame(
        name: "Queue.Declare taskiq",
        bytes: hex(
            "010001000000770032000a0000067461736b6971020000006516782d646561642d6c65747465722d65786368616e6765530000000019782d646561642d6c65747465722d726f7574696e672d6b657953000000127461736b69712e646561645f6c65747465720c782d71756575652d74797065530000000671756f72756dce"
        ),
        frame: .method(
            channel: 1,
            .queueDeclare(
                queue: "taskiq", passive: false, durable: true, exclusive: false,
                autoDelete: false, noWait: false, arguments: taskiqQueueArguments))),
    CapturedFrame(
        name: "Queue.Bind taskiq", bytes: hex("01000100000020003200140000067461736b6971067461736b6971067461736b69710000000000ce"),
        frame: .method(channel: 1, .queueBind(queue: "taskiq", exchange: "taskiq", routingKey: "taskiq", noWait: false, arguments: [:]))),
    CapturedFrame(
        name: "Basic.Publish", bytes: hex("01000100000015003c00280000067461736b6971067461736b697101ce"),
        frame: .method(channel: 1, .basicPublish(exchange: "taskiq", routingKey: "taskiq", mandatory: true, immediate: false))),
    CapturedFrame(
        name: "content header 0x3880",
        bytes: hex(
            "0200010000007e003c0000000000000000008d388000000049077461736b5f696453000000203166396331306338346436653430643662336164393630623935626538336133097461736b5f6e616d65530000000d7769726566616374732e6164640200203238653066303230333837383436313239306436366330373030663466613037ce"
        ),
        frame: .header(
            channel: 1,
            AMQPContentHeader(
                bodySize: 141,
                properties: AMQPProperties(
                    headers: ["task_id": .string("1f9c10c84d6e40d6b3ad960b95be83a3"), "task_name": .string("wirefacts.add")],
                    deliveryMode: 2, priority: 0, messageID: "28e0f0203878461290d66c0700f4fa07")))),
    CapturedFrame(
        name: "publisher confirm", bytes: hex("0100010000000d003c0050 0000000000000001 00 ce"),
        frame: .method(channel: 1, .basicAck(deliveryTag: 1, multiple: false))),
    CapturedFrame(
        name: "Basic.Return 312", bytes: hex("01000100000017003c00320138084e4f5f524f555445067461736b697100ce"),
        frame: .method(channel: 1, .basicReturn(replyCode: 312, replyText: "NO_ROUTE", exchange: "taskiq", routingKey: ""))),
    CapturedFrame(
        name: "Channel.Close 200", bytes: hex("0100010000000b0014002800c80000000000ce"),
        frame: .method(channel: 1, .channelClose(.normal()))),
    CapturedFrame(
        name: "Connection.Close 200", bytes: hex("0100000000001a000a003200c80f6e6f726d616c6c7920636c6f73656400000000ce"),
        frame: .method(channel: 0, .connectionClose(.normal("normally closed")))),
    CapturedFrame(name: "heartbeat", bytes: hex("08 0000 00000000 ce"), frame: .heartbeat),
]
