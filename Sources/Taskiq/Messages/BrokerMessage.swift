/// A formatted message handed to a broker's `kick`.
///
/// Brokers put only ``message`` on the wire; ``labels`` are there for routing decisions
/// (for example `queue_name`).
public struct BrokerMessage: Sendable {
    /// The task's ID.
    public var taskID: String
    /// The task's name.
    public var taskName: String
    /// The serialised message bytes.
    public var message: [UInt8]
    /// The message's labels.
    public var labels: [String: JSONValue]

    /// Creates a broker message.
    public init(taskID: String, taskName: String, message: [UInt8], labels: [String: JSONValue]) {
        self.taskID = taskID
        self.taskName = taskName
        self.message = message
        self.labels = labels
    }
}
