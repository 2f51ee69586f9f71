#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON form of a dead letter: one line of a ``FileDeadLetterQueue`` and what
/// `taskiq-run dead-letters list --json` prints.
///
/// ```json
/// {"id": "...", "reason": "unknown_task", "message": "...", "time": "2026-01-02T03:04:05.000000Z",
///  "task_name": "billing.invoice", "task_id": "...", "data": "{\"task_id\": ...}"}
/// ```
/// The bytes are kept as `data` when they are UTF-8, else as `data_base64`; keys without a value
/// are left out, and `error` is taskiq's error shape.
extension DeadLetter {
    /// The letter as a JSON object.
    public var jsonValue: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "reason": .string(reason.name), "message": .string(message),
            "time": .string(isoTimestamp),
        ]
        if let taskName { object["task_name"] = .string(taskName) }
        if let taskID { object["task_id"] = .string(taskID) }
        if let broker { object["broker"] = .string(broker) }
        if let queue { object["queue"] = .string(queue) }
        if let originalID { object["original_id"] = .string(originalID) }
        if let deliveries { object["deliveries"] = .int(deliveries) }
        if let error { object["error"] = error.wireValue }
        if let text = String(validating: data, as: UTF8.self) {
            object["data"] = .string(text)
        } else {
            object["data_base64"] = .string(Data(data).base64EncodedString())
        }
        return .object(object)
    }

    /// Reads the JSON form.
    /// - Throws: ``TaskiqError`` with code `.invalidMessage` naming what is missing or wrong.
    public init(jsonValue value: JSONValue) throws(TaskiqError) {
        guard let object = value.objectValue else {
            throw TaskiqError(.invalidMessage, "a dead letter must be a JSON object, found \(value.typeName)")
        }
        guard let reason = object["reason"]?.stringValue else {
            throw TaskiqError(.invalidMessage, "a dead letter needs a string 'reason'")
        }
        var data: [UInt8] = []
        if let text = object["data"]?.stringValue {
            data = Array(text.utf8)
        } else if let encoded = object["data_base64"]?.stringValue {
            guard let decoded = Data(base64Encoded: encoded) else {
                throw TaskiqError(.invalidMessage, "a dead letter's 'data_base64' is not base64")
            }
            data = Array(decoded)
        }
        let seconds = object["time"]?.stringValue.flatMap(ISO8601Timestamp.parse) ?? 0
        self.init(
            id: object["id"]?.stringValue ?? "", reason: Reason(reason),
            message: object["message"]?.stringValue ?? "", data: data,
            taskName: object["task_name"]?.stringValue, taskID: object["task_id"]?.stringValue,
            broker: object["broker"]?.stringValue, queue: object["queue"]?.stringValue,
            originalID: object["original_id"]?.stringValue, deliveries: object["deliveries"]?.intValue,
            timestamp: Date(timeIntervalSince1970: seconds),
            error: try object["error"].flatMap { value throws(TaskiqError) in
                value.isNull ? nil : try TaskError(wireValue: value)
            })
    }

    /// The timestamp as ISO 8601 in UTC with microseconds, such as `2026-01-02T03:04:05.000000Z`.
    public var isoTimestamp: String {
        ISO8601Timestamp.format(secondsSince1970: timestamp.timeIntervalSince1970)
    }

    /// Decodes what it can of the message bytes (task name and ID) into a new letter.
    ///
    /// Used where only the bytes are known, such as a broker's delivery-limit letters.
    package func withMessageDetails(formatter: any TaskiqFormatter = JSONFormatter()) -> DeadLetter {
        guard taskName == nil, let message = try? formatter.loads(data) else { return self }
        var letter = self
        letter.taskName = message.taskName
        letter.taskID = message.taskID
        return letter
    }
}
