import Synchronization

/// The decision recorded for one execution; shared by the copies of its ``TaskContext``.
final class RetryDecisionBox: Sendable {
    private let value = Mutex<RetryDecision?>(nil)

    var decision: RetryDecision? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
