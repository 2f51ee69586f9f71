import Synchronization

/// The tasks a broker can run, by name.
package final class TaskRegistry: Sendable {
    private let tasks = Mutex<[String: AnyTask]>([:])

    package init() {}

    /// Adds or replaces a task.
    package func register(_ task: AnyTask) {
        tasks.withLock { $0[task.name] = task }
    }

    /// The task with this name.
    package subscript(name: String) -> AnyTask? {
        tasks.withLock { $0[name] }
    }

    /// All tasks, sorted by name.
    package var all: [AnyTask] {
        tasks.withLock { $0.values.sorted { $0.name < $1.name } }
    }
}
