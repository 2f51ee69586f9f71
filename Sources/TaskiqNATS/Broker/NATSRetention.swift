/// What a JetStream stream keeps (`retention` in its configuration).
public enum NATSRetention: String, Sendable, Hashable, CaseIterable {
    /// Keep every message until the stream's limits (size, count, age) drop it: taskiq-nats'
    /// default, under which acknowledged tasks pile up forever unless a limit is set.
    case limits
    /// Drop each message once a consumer acknowledged it: the stream holds only pending work.
    /// One consumer per subject only, which is what a task queue has.
    case workqueue
}
