import Synchronization

/// Events recorded by fakes and child processes, awaited one by one with a timeout.
package final class RunnerEvents<Event: Sendable>: Sendable {
    /// Where fakes send their events.
    package let continuation: AsyncStream<Event>.Continuation
    private let iterator: IteratorBox

    private final class IteratorBox: @unchecked Sendable {
        // Only the test's own task calls `next`, one call at a time.
        var iterator: AsyncStream<Event>.Iterator
        init(_ iterator: AsyncStream<Event>.Iterator) { self.iterator = iterator }
    }

    /// An empty event stream.
    package init() {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        self.continuation = continuation
        iterator = IteratorBox(stream.makeAsyncIterator())
    }

    /// Records `event`.
    package func send(_ event: Event) { continuation.yield(event) }

    /// The next event, or `TimedOut`.
    package func next(timeout: Double = 30) async throws -> Event? {
        let box = iterator
        return try await withTimeout(seconds: timeout) { await box.iterator.next() }
    }

    /// Skips events until one matches, or `TimedOut`.
    package func first(timeout: Double = 30, where matches: @escaping @Sendable (Event) -> Bool) async throws -> Event? {
        let box = iterator
        return try await withTimeout(seconds: timeout) {
            while let event = await box.iterator.next() {
                if matches(event) { return event }
            }
            return nil
        }
    }
}
