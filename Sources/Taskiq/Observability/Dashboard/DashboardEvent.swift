/// One task lifecycle event for taskiq-dashboard: the request path and the JSON body that
/// taskiq-dashboard's own Python `DashboardMiddleware` sends.
struct DashboardEvent: Sendable {
    /// Which endpoint the event goes to.
    enum Kind: String, Sendable {
        case queued, started, executed
    }

    /// Which endpoint the event goes to.
    var kind: Kind
    /// The task's ID, as the message carries it.
    var taskID: String
    /// The body, in Python's key order.
    var body: JSONObject

    /// `POST /api/tasks/<id>/queued`: `args`, `kwargs`, `labels`, `queuedAt`, `taskName`, `worker`.
    static func queued(_ message: TaskiqMessage, worker: String, at time: String) -> DashboardEvent {
        DashboardEvent(kind: .queued, taskID: message.taskID, body: announcement(message, timeKey: "queuedAt", time: time, worker: worker))
    }

    /// `POST /api/tasks/<id>/started`: as ``queued(_:worker:at:)`` with `startedAt`.
    static func started(_ message: TaskiqMessage, worker: String, at time: String) -> DashboardEvent {
        DashboardEvent(
            kind: .started, taskID: message.taskID, body: announcement(message, timeKey: "startedAt", time: time, worker: worker))
    }

    /// `POST /api/tasks/<id>/executed`: `finishedAt`, `executionTime`, `error` (Python's `repr`
    /// of the exception, or `null`) and `returnValue` (`{"return_value": ...}`).
    static func executed(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>, at time: String) -> DashboardEvent {
        var body = JSONObject()
        body["finishedAt"] = .string(time)
        body["executionTime"] = result.executionTime.isFinite ? .double(result.executionTime) : .double(0)
        if let error = result.error {
            body["error"] = .string(pythonRepr(error))
        } else if result.isErr {
            body["error"] = .string("Exception()")
        } else {
            body["error"] = .null
        }
        body["returnValue"] = .object(["return_value": storableResult(result.returnValue ?? .null)])
        return DashboardEvent(kind: .executed, taskID: message.taskID, body: body)
    }

    /// The return value as the dashboard can store and show it.
    ///
    /// taskiq-dashboard 0.5.2 stores `return_value` as it comes but reads it back as an object,
    /// an array or a JSON *text*: a bare number, string or boolean (what Python's middleware
    /// sends for `return 3`) makes its task list page fail with 500 for every task. A scalar is
    /// therefore sent as its JSON text (`3` as `"3"`, `"ok"` as `"\"ok\""`), which the dashboard
    /// parses back and shows as the value itself; objects, arrays and `null` go as they are.
    static func storableResult(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object, .array, .null:
            return value
        default:
            return .string(String(decoding: value.serialized(style: .compact), as: UTF8.self))
        }
    }

    /// The request path under the dashboard's URL. The dashboard's route takes the ID as a
    /// UUID, so only a UUID (``isUUID(_:)``) makes a valid path.
    var path: String { "/api/tasks/\(taskID)/\(kind.rawValue)" }

    /// Whether `id` is a UUID as the dashboard parses one: 32 hex digits, or 36 with dashes
    /// in the 8-4-4-4-12 places (taskiq's default IDs are the former).
    static func isUUID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        func isHex(_ byte: UInt8) -> Bool {
            (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
        }
        switch bytes.count {
        case 32:
            return bytes.allSatisfy(isHex)
        case 36:
            for (index, byte) in bytes.enumerated() {
                if [8, 13, 18, 23].contains(index) {
                    guard byte == UInt8(ascii: "-") else { return false }
                } else {
                    guard isHex(byte) else { return false }
                }
            }
            return true
        default:
            return false
        }
    }

    /// `ValueError('boom')`: how Python's `repr` writes an exception with its arguments.
    static func pythonRepr(_ error: TaskError) -> String {
        "\(error.name)(\(error.arguments.map(\.pythonRepr).joined(separator: ", ")))"
    }

    private static func announcement(_ message: TaskiqMessage, timeKey: String, time: String, worker: String) -> JSONObject {
        var body = JSONObject()
        body["args"] = .array(message.args)
        body["kwargs"] = .object(message.kwargs)
        body["labels"] = .object(message.orderedLabels)
        body[timeKey] = .string(time)
        body["taskName"] = .string(message.taskName)
        body["worker"] = .string(worker)
        return body
    }
}
