import TaskiqNATS

/// Server and client lines as nats-server 2.9.10 and nats-py 2.x put them on the wire
/// (rabbitmq-and-nats.md §3 and §4), with payloads of the announced sizes.
enum CapturedNATSLines {
    static let info =
        #"INFO {"server_id":"NDJWE4SHGZ7VJQXWIQNQ4OSNFBJRSOZBRRBLXQ3ZBTNZZKNPGYBFJ7UM","server_name":"NDJWE4SHGZ7VJQXWIQNQ4OSNFBJRSOZBRRBLXQ3ZBTNZZKNPGYBFJ7UM","version":"2.9.10","proto":1,"go":"go1.19.4","host":"0.0.0.0","port":4222,"headers":true,"max_payload":1048576,"jetstream":true,"client_id":5,"client_ip":"127.0.0.1"} "#
        + "\r\n"

    /// The JetStream PubAck to a kick, with the server's double space before the size.
    static let pubAck = "MSG _INBOX.7Yd2bYI5yIcO8Xyqm5O6Ie.tK4fFLZf 1  38\r\n" + #"{"stream":"taskiq_jetstream", "seq":1}"# + "\r\n"

    /// A taskiq message, 141 bytes, as taskiq-nats publishes it.
    static let taskJSON =
        #"{"task_id": "0123456789abcdef0123456789abcdef", "task_name": "exp11:add", "labels": {}, "labels_types": {}, "args": [10, 2, 3], "kwargs": {}}"#

    /// A pull consumer's delivery: an empty header block (nats-py always sends HPUB) and the
    /// ack subject as reply.
    static let delivery =
        "HMSG taskiq_tasks 2 $JS.ACK.taskiq_jetstream.taskiq_durable.1.1.1.1796393326933400598.0 12 153\r\n"
        + "NATS/1.0\r\n\r\n" + taskJSON + "\r\n"

    /// A pull with `no_wait` that found nothing: a status message with the double space.
    static let noMessages = "HMSG _INBOX.wf.pull 1  28 28\r\nNATS/1.0 404 No Messages\r\n\r\n\r\n"

    /// A pull whose `expires` elapsed.
    static let requestTimeout =
        "HMSG _INBOX.wf.pull 1  81 81\r\n"
        + "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n\r\n"

    /// A request nobody answered, with `no_responders`.
    static let noResponders = "HMSG _INBOX.7Yd2bYI5yIcO8Xyqm5O6Ie.x 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"

    static let invalidSubjectError = "-ERR 'Invalid Subject'\r\n"

    /// Everything above, with keepalives and verbose acknowledgements between.
    static var stream: String {
        info + "+OK\r\n" + "PING\r\n" + pubAck + delivery + "PONG\r\n" + noMessages + requestTimeout
            + noResponders + invalidSubjectError
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Every operation in `stream` and the error that ended it, appending `chunk` bytes at a time.
    static func parse(_ stream: [UInt8], chunk: Int, parser: NATSParser = NATSParser())
        -> (operations: [NATSServerOperation], error: NATSProtocolError?)
    {
        var parser = parser
        var operations: [NATSServerOperation] = []
        var offset = 0
        repeat {
            let end = min(offset + chunk, stream.count)
            parser.append(stream[offset..<end])
            offset = end
            do {
                while let operation = try parser.next() { operations.append(operation) }
            } catch {
                return (operations, error)
            }
        } while offset < stream.count
        return (operations, nil)
    }

    /// The single error `text` makes the parser throw, or `nil` when it does not throw.
    static func error(in text: String, parser: NATSParser = NATSParser()) -> NATSProtocolError? {
        parse(bytes(text), chunk: max(text.utf8.count, 1), parser: parser).error
    }
}
