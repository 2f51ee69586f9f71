import Synchronization
struct RunnerTimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "timed out after \(seconds)s" }
}

/// Races `body` against a deadline; the loser is cancelled. The sleep is only a deadline,
/// never a synchronisation point.
func withRunnerTimeout<T: Sendable>(
    seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = RunnerTimeoutRace<T>()
    let work = Task {
        do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
    }
    let timer = Task {
        try? await Task.sleep(for: .seconds(seconds))
        if !Task.isCancelled {
            outcome.finish(.failure(RunnerTimedOut(seconds: seconds)))
            work.cancel()
        }
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await outcome.value
    } onCancel: {
        work.cancel()
        outcome.finish(.failure(CancellationError()))
    }
}

/// Events recorded by fakes and child processes, awaited one by one with a timeout.
final class RunnerEvents<Event: Sendable>: Sendable {
    let continuation: AsyncStream<Event>.Continuation
    private let iterator: IteratorBox

    private final class IteratorBox: @unchecked Sendable {
        // Only the test's own task calls `next`, one call at a time.
        var iterator: AsyncStream<Event>.Iterator
        init(_ iterator: AsyncStream<Event>.Iterator) { self.iterator = iterator }
    }

    init() {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        self.continuation = continuation
        iterator = IteratorBox(stream.makeAsyncIterator())
    }

    func send(_ event: Event) { continuation.yield(event) }

    /// The next event, or `RunnerTimedOut`.
    func next(timeout: Double = 10) async throws -> Event? {
        let box = iterator
        return try await withRunnerTimeout(seconds: timeout) { await box.iterator.next() }
    }

    /// Skips events until one matches, or `RunnerTimedOut`.
    func first(timeout: Double = 10, where matches: @escaping @Sendable (Event) -> Bool) async throws -> Event? {
        let box = iterator
        return try await withRunnerTimeout(seconds: timeout) {
            while let event = await box.iterator.next() {
                if matches(event) { return event }
            }
            return nil
        }
    }
}

/// The first outcome of a body and its deadline. Unlike a task group, it does not wait for a
/// body that ignores cancellation (awaiting another task's value, say): the test fails at the
/// deadline instead of hanging the whole run.
final class RunnerTimeoutRace<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

    func finish(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    var value: T {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<T, any Error>? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
