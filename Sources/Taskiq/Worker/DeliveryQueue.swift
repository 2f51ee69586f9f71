import Synchronization

/// Hands deliveries from a receiver's intake to its runner tasks.
///
/// A delivery pushed while a runner waits resumes that runner directly (one task hand-over);
/// otherwise it is buffered, and a runner that finishes a task takes the next one without
/// suspending. When every runner is busy, each buffered push counts as one more runner wanted,
/// and the spawner (``needsRunner()``) starts one per count, so a backlog that arrives in one
/// burst gets a runner per delivery (up to ``limit``) at once, while a trickle that idle runners
/// keep up with starts none. The receiver's prefetch semaphore bounds how much is buffered.
///
/// The queue grows past ``limit`` only while every runner's task waits for another task's
/// result (``runnerBlocked()``): the subtask may be the very delivery buffered here. A runner
/// beyond the limit retires when it finds the buffer empty.
final class DeliveryQueue: Sendable {
    private struct State {
        var buffer = FIFOBuffer<AckableMessage>()
        /// Idle runners; the most recent is resumed first (its stack is likeliest to be warm).
        var idle: [UnsafeContinuation<AckableMessage?, Never>] = []
        var spawner: UnsafeContinuation<Bool, Never>?
        /// Pushes that found no idle runner and have not yet been answered with a new runner.
        /// One flag here (a burst asked for one runner) ran a backlog of 60 on about 3 runners.
        var runnersWanted = 0
        var finished = false
        let limit: Int
        /// Runners started and not retired.
        var runners = 0
        /// Runners whose task waits for another task's result.
        var blocked = 0

        /// Whether the spawner may start one more runner now: below the limit, or every
        /// runner waits for a subtask.
        var mayGrow: Bool { runners < limit || blocked >= runners }

        mutating func take() -> AckableMessage? { buffer.popFirst() }
    }

    private enum Wake {
        case none
        case runner(UnsafeContinuation<AckableMessage?, Never>, AckableMessage)
        case spawner(UnsafeContinuation<Bool, Never>)
    }

    private let state: Mutex<State>

    /// Creates an empty queue whose spawner starts at most `limit` runners while none waits
    /// for a subtask.
    init(limit: Int) {
        state = Mutex(State(limit: limit))
    }

    /// Passes a delivery to an idle runner, or buffers it.
    func push(_ delivery: AckableMessage) {
        let wake = state.withLock { state -> Wake in
            if let runner = state.idle.popLast() { return .runner(runner, delivery) }
            state.buffer.append(delivery)
            if let spawner = state.spawner, state.mayGrow {
                state.spawner = nil
                state.runners += 1
                return .spawner(spawner)
            }
            state.runnersWanted += 1
            return .none
        }
        switch wake {
        case .none: break
        case .runner(let runner, let delivery): runner.resume(returning: delivery)
        case .spawner(let spawner): spawner.resume(returning: true)
        }
    }

    /// The next delivery; `nil` once ``finish()`` was called and the buffer is empty, or when
    /// the buffer is empty and this runner is one beyond the limit (it retires).
    /// Not cancellation-aware: the receiver ends the queue by finishing its intake.
    func next() async -> AckableMessage? {
        enum Fast {
            case delivery(AckableMessage)
            case finished, wait
        }
        let fast = state.withLock { state -> Fast in
            if let delivery = state.take() { return .delivery(delivery) }
            if state.finished { return .finished }
            if state.runners > state.limit {
                state.runners -= 1
                return .finished
            }
            return .wait
        }
        switch fast {
        case .delivery(let delivery): return delivery
        case .finished: return nil
        case .wait: break
        }
        return await withUnsafeContinuation { continuation in
            let ready = state.withLock { state -> Fast in
                if let delivery = state.take() { return .delivery(delivery) }
                if state.finished { return .finished }
                state.idle.append(continuation)
                return .wait
            }
            switch ready {
            case .delivery(let delivery): continuation.resume(returning: delivery)
            case .finished: continuation.resume(returning: nil)
            case .wait: break
            }
        }
    }

    /// Waits until a delivery found no idle runner and the queue may grow (`true`: start
    /// another one; once per such delivery still buffered) or the queue is finished (`false`).
    /// One caller at a time.
    func needsRunner() async -> Bool {
        await withUnsafeContinuation { continuation in
            let answer = state.withLock { state -> Bool? in
                if state.finished { return false }
                // Deliveries buffered earlier may have been taken by runners since: at most one
                // new runner per delivery still waiting.
                state.runnersWanted = min(state.runnersWanted, state.buffer.count)
                if state.runnersWanted > 0, state.mayGrow {
                    state.runnersWanted -= 1
                    state.runners += 1
                    return true
                }
                state.spawner = continuation
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Notes that a runner's task began waiting for another task's result; when that leaves no
    /// runner free and a delivery is buffered, the spawner starts one more.
    /// - Returns: Whether every runner now waits: the receiver then lends the intake one
    ///   permit, so that the subtask can be taken even when every permit is held.
    func runnerBlocked() -> Bool {
        let (everyRunner, spawner) = state.withLock { state -> (Bool, UnsafeContinuation<Bool, Never>?) in
            state.blocked += 1
            guard state.blocked >= state.runners else { return (false, nil) }
            state.runnersWanted = min(state.runnersWanted, state.buffer.count)
            guard let spawner = state.spawner, !state.buffer.isEmpty else { return (true, nil) }
            state.spawner = nil
            state.runners += 1
            if state.runnersWanted > 0 { state.runnersWanted -= 1 }
            return (true, spawner)
        }
        spawner?.resume(returning: true)
        return everyRunner
    }

    /// Notes that a runner's task no longer waits for another task.
    func runnerUnblocked() {
        state.withLock { $0.blocked -= 1 }
    }

    /// Removes and returns the buffered deliveries the broker can deliver again (those with a
    /// ``AckableMessage/release``); the others stay buffered, in order.
    func takeRedeliverable() -> [AckableMessage] {
        state.withLock { state in
            var taken: [AckableMessage] = []
            var kept = FIFOBuffer<AckableMessage>()
            while let delivery = state.buffer.popFirst() {
                if delivery.release != nil { taken.append(delivery) } else { kept.append(delivery) }
            }
            state.buffer = kept
            state.runnersWanted = min(state.runnersWanted, kept.count)
            return taken
        }
    }

    /// Ends the queue: waiting runners get `nil` once the buffer is empty, the spawner `false`.
    func finish() {
        let (runners, spawner) = state.withLock { state in
            state.finished = true
            let runners = state.idle
            state.idle = []
            let spawner = state.spawner
            state.spawner = nil
            return (runners, spawner)
        }
        // Runners only wait while the buffer is empty, so none of them is owed a delivery.
        for runner in runners { runner.resume(returning: nil) }
        spawner?.resume(returning: false)
    }
}
