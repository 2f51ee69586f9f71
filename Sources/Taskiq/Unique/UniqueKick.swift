/// What makes a kick unique: its key and window, read from the message's labels.
///
/// A message with a `unique_for` label (seconds, a positive number) is unique for that long:
/// another kick with the same key inside the window does not send, and returns the first
/// task's ID. The key is the `unique_key` label when given (a string), otherwise the task name
/// and the canonical JSON of its arguments (keyword arguments sorted by name, objects inside
/// sorted by key), so `f(1, b: 2)` kicked twice is one task, `f(1, b: 3)` another.
/// With `unique_on_duplicate: "refuse"`, a duplicate kick throws ``TaskiqError`` with code
/// ``TaskiqError/Code/duplicateTask`` (naming the first task ID) instead of returning it.
package struct UniqueKick: Sendable {
    /// The label giving the window in seconds.
    package static let windowLabel = "unique_for"
    /// The label giving a key of the caller's choice.
    package static let keyLabel = "unique_key"
    /// The label choosing what a duplicate kick does: `merge` (the default) or `refuse`.
    package static let duplicateLabel = "unique_on_duplicate"
    /// The prefix of every key in the store.
    package static let keyPrefix = "taskiq:unique:"

    /// The store key.
    package let key: String
    /// How long the first kick holds the key.
    package let window: Duration
    /// Whether a duplicate throws instead of returning the first task's ID.
    package let refuses: Bool

    /// The uniqueness a message asks for; `nil` when it has no `unique_for` label.
    /// - Throws: ``TaskiqError`` with code `invalidArguments` for a label of the wrong type or range.
    package init?(_ message: TaskiqMessage) throws {
        let labels = message.labels
        guard !labels.isEmpty, let windowValue = labels[Self.windowLabel], !windowValue.isNull else { return nil }
        do {
            window = try Duration.checkedSeconds(windowValue, of: "unique_for label", positive: true)
        } catch {
            throw TaskiqError(.invalidArguments, "task '\(message.taskName)': \(error); expected a positive number of seconds such as 60")
        }
        switch labels[Self.duplicateLabel] {
        case nil, .null: refuses = false
        case .string(let text) where text == "merge": refuses = false
        case .string(let text) where text == "refuse": refuses = true
        case let other?:
            throw TaskiqError(
                .invalidArguments, "task '\(message.taskName)': unique_on_duplicate label is \(other); expected \"merge\" or \"refuse\"")
        }
        switch labels[Self.keyLabel] {
        case nil, .null:
            let arguments = JSONValue.array([.array(message.args.map(Self.canonical)), Self.canonical(.object(message.kwargs))])
            let json = JSONWriter(style: .compact).serialize(arguments)
            key = Self.keyPrefix + message.taskName + ":" + String(decoding: json, as: UTF8.self)
        case .string(let text):
            key = Self.keyPrefix + message.taskName + ":key:" + text
        case let other?:
            throw TaskiqError(.invalidArguments, "task '\(message.taskName)': unique_key label is \(other); expected a string")
        }
    }

    /// The value with every object's keys sorted, recursively.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): .array(items.map(canonical))
        case .object(let object):
            .object(
                JSONObject(
                    object.sorted { Array($0.key.utf8).lexicographicallyPrecedes($1.key.utf8) }
                        .map { ($0.key, canonical($0.value)) }))
        default: value
        }
    }
}
