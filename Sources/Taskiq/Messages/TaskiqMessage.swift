/// A task invocation as it travels from producer to worker: the decoded form of taskiq's message JSON.
///
/// The wire form is exactly Python taskiq 0.13's (`task_id`, `task_name`, `labels`, `labels_types`,
/// `args`, `kwargs`, in that order). Labels keep the order in which they were set, so that the
/// encoded bytes match what Python produces for the same labels.
public struct TaskiqMessage: Sendable, Hashable {
    /// The task's ID; results are stored under it, and retries keep it.
    public var taskID: String
    /// The registered name of the task to run.
    public var taskName: String
    /// Labels: per-message metadata such as `timeout`, `retry_on_error` or `queue_name`.
    public var labels: [String: JSONValue] {
        get { labelStorage }
        set {
            labelStorage = newValue
            labelOrder.removeAll { newValue[$0] == nil }
            if !bytesLabels.isEmpty { bytesLabels = bytesLabels.filter { newValue[$0] != nil } }
        }
    }
    /// Positional arguments.
    public var args: [JSONValue]
    /// Keyword arguments, matched to the task's declared parameter names.
    public var kwargs: JSONObject

    private var labelStorage: [String: JSONValue]
    /// Keys of `labels` in wire order; keys missing from it are written after, sorted.
    private var labelOrder: [String]
    /// Keys of string labels that hold base64 and travel as bytes (type code 6), as Python's
    /// bytes labels do; kept from received messages so a re-sent message keeps the type.
    package var bytesLabels: Set<String> = []

    /// Creates a message.
    /// - Parameters:
    ///   - taskID: The task ID.
    ///   - taskName: The registered task name.
    ///   - labels: Labels in the order they should appear on the wire.
    ///   - args: Positional arguments.
    ///   - kwargs: Keyword arguments.
    public init(taskID: String, taskName: String, labels: JSONObject = [:], args: [JSONValue] = [], kwargs: JSONObject = [:]) {
        self.taskID = taskID
        self.taskName = taskName
        self.args = args
        self.kwargs = kwargs
        self.labelStorage = labels.dictionary
        self.labelOrder = labels.keys
    }

    /// Sets a label that travels as bytes (type code 6): Python receives `bytes`.
    /// - Parameters:
    ///   - key: The label.
    ///   - base64: The bytes, base64-encoded.
    package mutating func setBytesLabel(_ key: String, base64: String) {
        setLabel(key, .string(base64))
        bytesLabels.insert(key)
    }

    /// Sets one label, appending it to the wire order when it is new.
    public mutating func setLabel(_ key: String, _ value: JSONValue?) {
        if !bytesLabels.isEmpty { bytesLabels.remove(key) }
        if let value {
            if labelStorage.updateValue(value, forKey: key) == nil { labelOrder.append(key) }
        } else if labelStorage.removeValue(forKey: key) != nil {
            labelOrder.removeAll { $0 == key }
        }
    }

    /// The labels in wire order: first the order they were set in, then any others sorted by key.
    public var orderedLabels: JSONObject {
        var object = JSONObject()
        var seen = 0
        for key in labelOrder {
            if let value = labelStorage[key] {
                object[key] = value
                seen += 1
            }
        }
        if seen < labelStorage.count {
            for key in labelStorage.keys.sorted() where object[key] == nil {
                object[key] = labelStorage[key]
            }
        }
        return object
    }

    public static func == (lhs: TaskiqMessage, rhs: TaskiqMessage) -> Bool {
        lhs.taskID == rhs.taskID && lhs.taskName == rhs.taskName && lhs.labelStorage == rhs.labelStorage
            && lhs.args == rhs.args && lhs.kwargs == rhs.kwargs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(taskID)
        hasher.combine(taskName)
    }
}
