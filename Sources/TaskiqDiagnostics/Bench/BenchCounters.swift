import Synchronization
import TaskiqConfig

/// Counters the producers bump and the monitor reads.
final class BenchCounters: Sendable {
    /// The next task index to claim.
    let next = Atomic<Int>(0)
    /// Tasks finished (successfully or not) from the producers' point of view.
    let finished = Atomic<Int>(0)
    /// Tasks that failed or could not be sent.
    let errors = Atomic<Int>(0)

    /// Claims the next task index, or `nil` when all `total` are claimed.
    func claim(below total: Int) -> Int? {
        let index = next.add(1, ordering: .relaxed).oldValue
        return index < total ? index : nil
    }
}
