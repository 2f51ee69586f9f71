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
