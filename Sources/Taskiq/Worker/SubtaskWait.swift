import Synchronization

/// Tells the runner that runs a task when that task waits for another task's result, so that
/// a runner pool of fixed size can grow instead of deadlocking: with every runner waiting for
/// a subtask that is queued behind them, nothing would ever run it.
///
/// ``TaskHandle/waitResult(timeout:withLogs:)`` brackets its wait with ``around(_:)``; a runner
/// binds ``observer`` around each task it runs. Outside a runner it costs one task-local read.
package enum SubtaskWait {
    /// The runner running the current task, if any.
    @TaskLocal package static var observer: (any SubtaskWaitObserver)?

    /// Runs `body` (a wait for another task's result), telling the current runner before and after.
    package static func around<T>(_ body: () async throws -> T) async rethrows -> T {
        guard let observer else { return try await body() }
        observer.willWaitForSubtask()
        defer { observer.didWaitForSubtask() }
        return try await body()
    }
}

/// A runner that wants to know when its task waits for another task (see ``SubtaskWait``).
/// Calls come in pairs and may nest (a task that waits in several child tasks at once).
package protocol SubtaskWaitObserver: Sendable {
    /// The task is about to wait for another task's result.
    func willWaitForSubtask()
    /// That wait has ended.
    func didWaitForSubtask()
}

/// A runner's ``SubtaskWaitObserver``: reports the first of nested waits as `blocked` and the
/// end of the last as `unblocked`, whichever child task of the runner's task waits.
package final class RunnerWaitObserver: SubtaskWaitObserver {
    private let waits = Atomic<Int>(0)
    private let blocked: @Sendable () -> Void
    private let unblocked: @Sendable () -> Void

    /// - Parameters:
    ///   - blocked: Called when the runner's task begins waiting for a subtask.
    ///   - unblocked: Called when it no longer waits for any.
    package init(blocked: @escaping @Sendable () -> Void, unblocked: @escaping @Sendable () -> Void) {
        self.blocked = blocked
        self.unblocked = unblocked
    }

    package func willWaitForSubtask() {
        if waits.add(1, ordering: .relaxed).newValue == 1 { blocked() }
    }

    package func didWaitForSubtask() {
        if waits.subtract(1, ordering: .relaxed).newValue == 0 { unblocked() }
    }
}
