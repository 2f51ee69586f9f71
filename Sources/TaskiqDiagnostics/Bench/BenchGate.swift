import Synchronization
import TaskiqConfig

/// Holds `taskiq.bench.hold` tasks until the bench opens it, so that memory can be measured
/// with every kicked task in flight at once.
package final class BenchGate: Sendable {
    /// The process's gate.
    package static let shared = BenchGate()

    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let arrived = Atomic<Int>(0)

    /// Tasks that have reached the gate so far.
    var arrivals: Int { arrived.load(ordering: .relaxed) }

    /// Suspends until the gate opens.
    func pass() async {
        arrived.add(1, ordering: .relaxed)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state -> Bool in
                if !state.isOpen { state.waiters.append(continuation) }
                return state.isOpen
            }
            if open { continuation.resume() }
        }
    }

    /// Lets every waiting and later task through.
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Closes the gate again and forgets arrivals.
    func reset() {
        state.withLock { $0.isOpen = false }
        arrived.store(0, ordering: .relaxed)
    }
}
