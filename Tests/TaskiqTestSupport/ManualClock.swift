import Foundation
import Synchronization
import Taskiq

/// A clock that only moves when told to, so scheduler tests are deterministic and never sleep.
///
/// ```swift
/// let clock = ManualClock(now: start)
/// let running = Task { try await scheduler.run() }
/// await clock.waitForSleepers()                    // the scheduler is waiting for its first slot
/// await clock.advance(to: start + 3600)            // wakes it at every deadline on the way
/// ```
///
/// ``advance(to:)`` moves time in steps: it sets the time to the earliest sleeper's deadline,
/// resumes that sleeper, and waits until it sleeps again before taking the next step. A scheduler
/// therefore sees each of its wake-ups at exactly the instant it asked for, as it would in real
/// time. Every woken sleeper is expected to sleep again (a scheduler loops until cancelled).
package final class ManualClock: SchedulerClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var sleepWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    /// Creates a clock stopped at `now`.
    package init(now: Date) {
        state = Mutex(State(now: now))
    }

    /// The clock's current instant.
    package var now: Date { state.withLock { $0.now } }

    /// The number of tasks sleeping on this clock.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until ``advance(to:)`` reaches `deadline`; returns at once if it has been reached.
    package func sleep(until deadline: Date) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if deadline <= state.now || Task.isCancelled { return (true, []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (false, Self.takeSatisfiedWaiters(&state))
                }
                if resumeNow {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
                for waiter in waiters { waiter.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Waits until at least `count` tasks are sleeping on this clock.
    package func waitForSleepers(_ count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sleepers.count >= count { return true }
                state.sleepWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Moves time forward to `target`, waking sleepers one deadline at a time in order, and waiting
    /// after each wake-up until the woken task sleeps again.
    package func advance(to target: Date) async {
        while true {
            let step = state.withLock { state -> (Sleeper, Int)? in
                guard let index = state.sleepers.indices.min(by: { state.sleepers[$0].deadline < state.sleepers[$1].deadline }),
                    state.sleepers[index].deadline <= target
                else {
                    if target > state.now { state.now = target }
                    return nil
                }
                let sleeper = state.sleepers.remove(at: index)
                if sleeper.deadline > state.now { state.now = sleeper.deadline }
                return (sleeper, state.sleepers.count + 1)
            }
            guard let (sleeper, count) = step else { return }
            sleeper.continuation.resume()
            await waitForSleepers(count)
        }
    }

    /// Moves time forward by `interval` seconds (see ``advance(to:)``).
    package func advance(by interval: TimeInterval) async {
        await advance(to: now.addingTimeInterval(interval))
    }

    private static func takeSatisfiedWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        var ready: [CheckedContinuation<Void, Never>] = []
        state.sleepWaiters.removeAll { waiter in
            guard state.sleepers.count >= waiter.count else { return false }
            ready.append(waiter.continuation)
            return true
        }
        return ready
    }
}
