import Synchronization
import Taskiq

/// A stand-in for what a worker startup hook opens once and every task uses (a database pool):
/// the `TaskiqState` use case in tests.
package final class FakePool: Sendable {
    /// Which pool this is, for the tasks to report.
    package let name: String
    /// Set by the shutdown hook that closes it.
    package let closed = Atomic<Bool>(false)

    /// Whether the shutdown hook closed it.
    package var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// A pool called `name`.
    package init(name: String) { self.name = name }
}

extension StateKey where Value == FakePool {
    /// Where the tests' hooks keep their pool.
    package static let pool = StateKey("pool")
}
