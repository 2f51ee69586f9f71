import Synchronization

/// When task runs started, recorded from any thread, and the rate they started at.
package final class StartTimes: Sendable {
    private let times = Mutex<[ContinuousClock.Instant]>([])

    /// No starts yet.
    package init() {}

    /// Records a start now.
    package func record() { times.withLock { $0.append(.now) } }

    /// The starts recorded.
    package var count: Int { times.withLock { $0.count } }

    /// Starts per second from the first start to the last; 0 with fewer than two.
    package var rate: Double {
        let sorted = times.withLock { $0 }.sorted()
        guard let first = sorted.first, let last = sorted.last, sorted.count > 1 else { return 0 }
        let span = last - first
        let seconds = Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
        return Double(sorted.count - 1) / seconds
    }
}
