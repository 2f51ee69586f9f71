/// When a worker acknowledges a delivery.
public enum AckType: String, Sendable, CaseIterable, Codable {
    /// After decoding, finding the task and `preExecute`, before the task runs.
    case whenReceived = "when_received"
    /// Right after the task returns or throws.
    case whenExecuted = "when_executed"
    /// After the result is stored (or storing failed or was skipped). taskiq's default.
    case whenSaved = "when_saved"
    /// Only when the task calls `TaskContext.current?.ack()`; a delivery the task never acknowledges
    /// stays unacknowledged (a durable broker redelivers it).
    case manual

    /// Parses a label or config value, case-insensitively.
    public init?(label: String) {
        self.init(rawValue: label.lowercased())
    }
}
