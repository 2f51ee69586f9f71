import Synchronization

/// Hands deliveries from a receiver's intake to its runner tasks.
///
/// A delivery pushed while a runner waits resumes that runner directly (one task hand-over);
/// otherwise it is buffered, and a runner that finishes a task takes the next one without
/// suspending. When every runner is busy, each buffered push counts as one more runner wanted,
/// and the spawner (``needsRunner()``) starts one per count, so a backlog that arrives in one
/// burst gets a runner per delivery (up to the receiver's limit) at once, while a trickle that
/// idle runners keep up with starts none. The receiver's prefetch semaphore bounds how much is
/// buffered.
final class DeliveryQueue: Sendable {
    private struct State {
        var buffer = FIFOBuffer<AckableMessage>()
        /// Idle runners; the most recent is resumed first (its stack is likeliest to be warm).
        var runners: [UnsafeContinuation<AckableMessage?, Never>] = []
        var spawner: UnsafeContinuation<Bool, Never>?
        /// Pushes that found no idle runner and have not yet been answered with a new runner.
        /// One flag here (a burst asked for one runner) ran a backlog of 60 on about 3 runners.
        var runnersWanted = 0
        var finished = false

        mutating func take() -> AckableMessage? { buffer.popFirst() }
    }

    private enum Wake {
        case none
        case runner(UnsafeContinuation<AckableMessage?, Never>, AckableMessage)
        case spawner(UnsafeContinuation<Bool, Never>)
    }

    private let state = Mutex(State())

    /// Creates an empty queue.
    init() {}

    /// Passes a delivery to an idle runner, or buffers it.
    func push(_ delivery: AckableMessage) {
        let wake = state.withLock { state -> Wake in
            if let runner = state.runners.popLast() { return .runner(runner, delivery) }
            state.buffer.append(delivery)
            if let spawner = state.spawner {
                state.spawner = nil
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

    /// The next delivery; `nil` once ``finish()`` was called and the buffer is empty.
    /// Not cancellation-aware: the receiver ends the queue by finishing its intake.
    func next() async -> AckableMessage? {
        enum Fast { case delivery(AckableMessage), finished, wait }
        let fast = state.withLock { state -> Fast in
            if let delivery = state.take() { return .delivery(delivery) }
            return state.finished ? .finished : .wait
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
                state.runners.append(continuation)
                return .wait
            }
            switch ready {
            case .delivery(let delivery): continuation.resume(returning: delivery)
            case .finished: continuation.resume(returning: nil)
            case .wait: break
            }
        }
    }

    /// Waits until a delivery found no idle runner (`true`: start another one; once per such
    /// delivery still buffered) or the queue is finished (`false`). One caller at a time.
    func needsRunner() async -> Bool {
        await withUnsafeContinuation { continuation in
            let answer = state.withLock { state -> Bool? in
                if state.finished { return false }
                // Deliveries buffered earlier may have been taken by runners since: at most one
                // new runner per delivery still waiting.
                state.runnersWanted = min(state.runnersWanted, state.buffer.count)
                if state.runnersWanted > 0 {
                    state.runnersWanted -= 1
                    return true
                }
                state.spawner = continuation
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
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
            let runners = state.runners
            state.runners = []
            let spawner = state.spawner
            state.spawner = nil
            return (runners, spawner)
        }
        // Runners only wait while the buffer is empty, so none of them is owed a delivery.
        for runner in runners { runner.resume(returning: nil) }
        spawner?.resume(returning: false)
    }
}
