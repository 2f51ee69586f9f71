import TaskiqTestSupport
import Synchronization

/// The shared ``withTimeout`` under the name the runner tests use.
func withRunnerTimeout<T: Sendable>(
    seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withTimeout(seconds: seconds, body)
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

    /// The next event, or `TimedOut`.
    func next(timeout: Double = 10) async throws -> Event? {
        let box = iterator
        return try await withRunnerTimeout(seconds: timeout) { await box.iterator.next() }
    }

    /// Skips events until one matches, or `TimedOut`.
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
