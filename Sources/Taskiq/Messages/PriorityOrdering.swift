/// Whether a broker orders deliveries by taskiq's `priority` label, so `check` can say which
/// tasks declare a priority their broker will not honour (see `UnhonouredPriority`).
public protocol PriorityOrdering: Sendable {
    /// `true` when a higher `priority` label is delivered before a lower one queued earlier.
    var honoursPriority: Bool { get }
}
