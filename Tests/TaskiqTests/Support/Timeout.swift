struct TimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "timed out after \(seconds)s" }
}

/// Races `body` against a deadline; the loser is cancelled. The sleep is only a deadline,
/// never a synchronisation point.
func withTimeout<T: Sendable>(
    seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Collects events from other threads so a test can await the first `count` of them.
struct EventStream<Event: Sendable>: Sendable {
    let stream: AsyncStream<Event>
    let continuation: AsyncStream<Event>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    func send(_ event: Event) { continuation.yield(event) }

    func first(_ count: Int, timeout: Double = 10) async throws -> [Event] {
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
