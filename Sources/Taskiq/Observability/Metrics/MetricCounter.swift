import Synchronization

/// One counter series: a lock-free count that only goes up.
public final class MetricCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Creates a counter at 0.
    public init() {}

    /// Adds `amount` (default 1); negative amounts are ignored, since a counter never goes down.
    public func increment(by amount: Int = 1) {
        guard amount > 0 else { return }
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The count now.
    public var value: Int { count.load(ordering: .relaxed) }
}
