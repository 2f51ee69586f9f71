import Synchronization

/// Holds tasks until `count` of them have arrived, then releases them all in one go, so that
/// they run as concurrently as the executor allows (an ``AsyncGate`` opened by the test may
/// release tasks that have not reached it yet one at a time).
package final class AsyncBarrier: Sendable {
    private let count: Int
    private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])

    /// A barrier for `count` tasks.
    package init(count: Int) {
        self.count = count
    }

    /// Returns once `count` tasks have called it.
    package func arrive() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let released = waiting.withLock { waiting -> [CheckedContinuation<Void, Never>] in
                waiting.append(continuation)
                guard waiting.count == count else { return [] }
                defer { waiting = [] }
                return waiting
            }
            for waiter in released { waiter.resume() }
        }
    }
}
