import Synchronization

package struct TimedOut: Error, CustomStringConvertible {
    package var seconds: Double
    package var description: String { "timed out after \(seconds)s" }
}

/// Races `body` against a deadline; the loser is cancelled. The sleep is only a deadline,
/// never a synchronisation point.
package func withTimeout<T: Sendable>(
    seconds: Double = 30, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = TimeoutRace<T>()
    let work = Task {
        do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
    }
    let timer = Task {
        try? await Task.sleep(for: .seconds(seconds))
        if !Task.isCancelled {
            outcome.finish(.failure(TimedOut(seconds: seconds)))
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

/// Collects events from other threads so a test can await the first `count` of them.
package struct EventStream<Event: Sendable>: Sendable {
    package let stream: AsyncStream<Event>
    package let continuation: AsyncStream<Event>.Continuation

    package init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    package func send(_ event: Event) { continuation.yield(event) }

    package func first(_ count: Int, timeout: Double = 30) async throws -> [Event] {
        let stream = stream
        return try await withTimeout(seconds: timeout) {
            var events: [Event] = []
            for await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
    }
}

/// The first outcome of a body and its deadline. Unlike a task group, it does not wait for a
/// body that ignores cancellation (awaiting another task's value, say): the test fails at the
/// deadline instead of hanging the whole run.
package final class TimeoutRace<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

    package func finish(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    package var value: T {
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
