import Dispatch
import Synchronization

/// The thread a connection writes its socket from.
///
/// A blocking `send` to a peer that stopped reading (a stalled or paused server, one whose
/// memory alarm blocks publishers) waits until the peer reads again. Written from a task, that
/// wait would hold one of the concurrency pool's few threads — two on a 2-core machine — and
/// stall every other task in the process with it; written from here, it holds only this thread.
/// A connection asks for a write with ``wake()`` or ``wakeAfterRunnableTasks()``; commands
/// queued meanwhile join that write.
///
/// ```swift
/// try writer.start(name: "taskiq-redis-writer") { connection.flush() }
/// writer.wake()  // after queuing bytes; flush() sends what is queued when it runs
/// writer.stop()  // once the connection failed: one last flush(), then the thread ends
/// ```
package final class WriterThread: Sendable {
    private let signal = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    /// A writer whose thread is not started yet.
    package init() {}

    /// Starts the thread. It runs `flush` after every ``wake()`` and once more after ``stop()``,
    /// so `flush` must return at once when there is nothing to write.
    /// - Throws: ``SystemError`` when the thread cannot be created.
    package func start(name: String, flush: @escaping @Sendable () -> Void) throws(SystemError) {
        try PlatformThread.start(name: name, stackSize: 512 << 10) { [self] in
            while true {
                signal.wait()
                flush()
                if stopped.load(ordering: .acquiring) { return }
            }
        }
    }

    /// Has the thread run `flush` (again) soon.
    package func wake() { signal.signal() }

    /// Wakes the thread from a task, after the tasks already runnable: typically the callers a
    /// connection's reader just resumed with their replies, whose next commands then join the same
    /// write instead of each costing a system call (and a wake-up of the server and of the reader).
    package func wakeAfterRunnableTasks() {
        Task { self.wake() }
    }

    /// Has the thread run `flush` once more, then end.
    package func stop() {
        stopped.store(true, ordering: .releasing)
        signal.signal()
    }
}
