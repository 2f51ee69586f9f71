import Synchronization

/// Deliveries a rate limit told to wait, held off the runners until they may ask again.
///
/// A parked delivery keeps its place in the receiver's accounting (held, in flight), but not a
/// runner; up to ``lendLimit`` of them also give their prefetch permit back, so the intake keeps
/// taking other work (a parked backlog beyond that holds its permits, bounding what is read
/// ahead). One timer task (``run(push:)``) hands due deliveries back to the receiver's queue.
final class ParkedDeliveries: Sendable {
    /// One parked delivery; ordered by due time, then by parking order.
    struct Entry: Comparable, Sendable {
        let due: ContinuousClock.Instant
        let sequence: UInt64
        let delivery: AckableMessage
        /// Whether its prefetch permit was given back while parked (it is taken again on return).
        let lentPermit: Bool

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.due, lhs.sequence) < (rhs.due, rhs.sequence) }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.sequence == rhs.sequence }
    }

    private struct State {
        var heap = MinHeap<Entry>()
        var sequence: UInt64 = 0
        var lent = 0
        /// Bumped whenever an entry becomes the earliest one: the timer then re-reads.
        var earliestVersion: UInt64 = 0
        var timer: UnsafeContinuation<Void, Never>?
        /// Entries taken out and not yet handed on: the queue must not finish under them.
        var inTransit = 0
        var intakeEnded = false
        /// Set by ``takeAll()``: nothing more is parked.
        var closed = false
        /// The intake ended and nothing is parked: the timer returns.
        var drained = false
        var onDrained: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    /// Parked deliveries that give their prefetch permit back; more keep theirs.
    let lendLimit: Int

    init(lendLimit: Int) {
        self.lendLimit = max(1, lendLimit)
    }

    /// Deliveries parked now.
    var count: Int { state.withLock { $0.heap.count } }

    /// Parks a delivery for `wait`.
    /// - Returns: Whether the caller gives its prefetch permit back now (the entry then takes
    ///   one again when it returns); `nil`, parking nothing, once ``takeAll()`` or the drain
    ///   closed parking (the intake ended for good: the caller hands the delivery back itself).
    func park(_ delivery: AckableMessage, for wait: Duration) -> Bool? {
        let due = ContinuousClock.now.advanced(by: wait)
        let (wake, lend) = state.withLock { state -> (UnsafeContinuation<Void, Never>?, Bool?) in
            if state.closed { return (nil, nil) }
            state.sequence += 1
            let lend = state.lent < lendLimit
            if lend { state.lent += 1 }
            let earliest = state.heap.min.map { due < $0.due } ?? true
            state.heap.insert(Entry(due: due, sequence: state.sequence, delivery: delivery, lentPermit: lend))
            guard earliest else { return (nil, lend) }
            state.earliestVersion += 1
            defer { state.timer = nil }
            return (state.timer, lend)
        }
        wake?.resume()
        return lend
    }

    /// Removes every parked delivery and closes parking (the worker stops: they go back to the
    /// broker, or run). Call ``handedOn(_:)`` with their count once each went somewhere.
    func takeAll() -> [Entry] {
        state.withLock { state in
            state.closed = true
            let entries = state.heap.removeAll()
            state.lent = 0
            state.inTransit += entries.count
            return entries
        }
    }

    /// Notes that `count` entries taken out were handed on; may end the drain.
    func handedOn(_ count: Int) {
        guard count > 0 else { return }
        let drained = state.withLock { state -> (@Sendable () -> Void)? in
            state.inTransit -= count
            return drainedCallback(&state)
        }
        drained?()
    }

    /// Calls `body` once the intake has ended and nothing is parked (at once if so now): the
    /// receiver's queue may finish only then, or a parked delivery would find no runner.
    func whenDrained(afterIntakeEnds body: @escaping @Sendable () -> Void) {
        let drained = state.withLock { state -> (@Sendable () -> Void)? in
            state.intakeEnded = true
            state.onDrained = body
            return drainedCallback(&state)
        }
        drained?()
    }

    /// When the drain just completed: the receiver's callback, and the timer woken to return.
    private func drainedCallback(_ state: inout State) -> (@Sendable () -> Void)? {
        guard state.intakeEnded, state.heap.isEmpty, state.inTransit == 0, let body = state.onDrained else { return nil }
        state.onDrained = nil
        state.drained = true
        // The timer returns: a delivery still buffered that is told to wait cannot park now.
        state.closed = true
        state.earliestVersion += 1
        let timer = state.timer
        state.timer = nil
        return {
            timer?.resume()
            body()
        }
    }

    /// The timer: gives due deliveries to `push` until the drain completes (see
    /// ``whenDrained(afterIntakeEnds:)``) or it is cancelled; cancelled, it gives every one still
    /// parked, due or not (the receiver's runners then hand them back or drop them).
    func run(push: @escaping @Sendable (Entry) -> Void) async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let (due, next, version, drained) = state.withLock { state -> ([Entry], ContinuousClock.Instant?, UInt64, Bool) in
                if state.drained { return ([], nil, 0, true) }
                var due: [Entry] = []
                while let first = state.heap.min, first.due <= now, let entry = state.heap.popMin() {
                    if entry.lentPermit { state.lent -= 1 }
                    due.append(entry)
                }
                state.inTransit += due.count
                return (due, state.heap.min?.due, state.earliestVersion, false)
            }
            if drained { return }
            for entry in due { push(entry) }
            handedOn(due.count)
            await withTaskGroup(of: Void.self) { group in
                if let next { group.addTask { try? await Task.sleep(until: next, clock: .continuous) } }
                group.addTask { await self.waitForEarlier(than: version) }
                await group.next()
                group.cancelAll()
            }
        }
        let rest = takeAll()
        for entry in rest { push(entry) }
        handedOn(rest.count)
    }

    /// Returns once an entry earlier than every one seen at `version` was parked, or on cancellation.
    private func waitForEarlier(than version: UInt64) async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.earliestVersion != version || state.drained || Task.isCancelled { return true }
                    state.timer = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let timer = state.withLock { state -> UnsafeContinuation<Void, Never>? in
                defer { state.timer = nil }
                return state.timer
            }
            timer?.resume()
        }
    }
}
