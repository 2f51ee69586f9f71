import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RabbitMQDeadLetterQueue {
    /// The header naming the letter's ``DeadLetter/Reason`` (`delivery_limit`, `undecodable`, …).
    package static let reasonHeader = "x-taskiq-reason"
    /// The header with the sentence for people (``DeadLetter/message``).
    package static let errorHeader = "x-taskiq-error"

    /// The properties a letter is stored with: persistent, the letter ID as message ID, the
    /// time, and headers `x-taskiq-reason`, `x-taskiq-error`, `x-taskiq-time-ms` and, when
    /// known, `task_id`, `task_name` (as on a kick), `x-taskiq-broker`, `x-taskiq-queue`,
    /// `x-taskiq-original-id`, `x-taskiq-deliveries` and `x-taskiq-task-error` (taskiq's error JSON).
    package static func properties(for letter: DeadLetter, id: String) -> AMQPProperties {
        let milliseconds = (letter.timestamp.timeIntervalSince1970 * 1000).rounded()
        var headers: AMQPFieldTable = [
            reasonHeader: .string(letter.reason.name),
            errorHeader: .string(letter.message),
            "x-taskiq-time-ms": .int64(milliseconds.isFinite && abs(milliseconds) < 9e18 ? Int64(milliseconds) : 0),
        ]
        if let taskID = letter.taskID { headers["task_id"] = .string(taskID) }
        if let taskName = letter.taskName { headers["task_name"] = .string(taskName) }
        if let broker = letter.broker { headers["x-taskiq-broker"] = .string(broker) }
        if let queue = letter.queue { headers["x-taskiq-queue"] = .string(queue) }
        if let originalID = letter.originalID { headers["x-taskiq-original-id"] = .string(originalID) }
        if let deliveries = letter.deliveries { headers["x-taskiq-deliveries"] = .int64(Int64(deliveries)) }
        if let error = letter.error { headers["x-taskiq-task-error"] = .longString(error.wireValue.serialized(style: .compact)) }
        var properties = AMQPProperties(headers: headers.sorted(), deliveryMode: 2, messageID: id)
        properties.timestamp = milliseconds >= 0 && milliseconds < 9e18 ? UInt64(milliseconds / 1000) : nil
        return properties
    }

    /// The letter a stored message holds, ID and all.
    ///
    /// A message RabbitMQ dead-lettered itself (a `Basic.Reject` without requeue, an expiry, a
    /// quorum queue's delivery limit) has no `x-taskiq-*` headers: its reason is the server's
    /// (`x-first-death-reason`: `rejected`, `expired`, `maxlen`, `delivery_limit`), its queue the
    /// one it died in. A message without a message ID gets `body-<FNV-1a of the body>`.
    package static func letter(from properties: AMQPProperties, body: [UInt8]) -> DeadLetter {
        let headers = properties.headers ?? [:]
        func text(_ key: String) -> String? { headers[key]?.stringValue }
        let serverReason = text("x-first-death-reason")
        let reason =
            text(reasonHeader) ?? serverReason.map { $0 == "delivery_limit" ? DeadLetter.Reason.deliveryLimit.name : $0 }
            ?? "unknown"
        let queue = text("x-taskiq-queue") ?? text("x-first-death-queue")
        let message =
            text(errorHeader) ?? serverReason.map { "dead-lettered by RabbitMQ (\($0)) from queue '\(queue ?? "?")'" }
            ?? "a message in the dead-letter queue without taskiq's headers"
        let milliseconds =
            headers["x-taskiq-time-ms"]?.integerValue
            ?? properties.timestamp.flatMap { Int64(exactly: $0) }.map { $0.multipliedReportingOverflow(by: 1000).partialValue }
            ?? 0
        let error = text("x-taskiq-task-error").flatMap { try? JSONParser().parse(Array($0.utf8)) }
            .flatMap { try? TaskError(wireValue: $0) }
        return DeadLetter(
            id: properties.messageID ?? bodyID(body), reason: DeadLetter.Reason(reason), message: message, data: body,
            taskName: text("task_name"), taskID: text("task_id"), broker: text("x-taskiq-broker"), queue: queue,
            originalID: text("x-taskiq-original-id"),
            deliveries: headers["x-taskiq-deliveries"]?.integerValue.flatMap { Int(exactly: $0) },
            timestamp: Date(timeIntervalSince1970: Double(milliseconds) / 1000), error: error
        )
        .withMessageDetails()
    }

    /// `body-<16 hex digits>`: the FNV-1a hash of a body, the ID of a letter without a message ID.
    package static func bodyID(_ body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return "body-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
