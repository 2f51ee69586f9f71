import Synchronization
import Taskiq

/// Coalesces acknowledgements into one `XACK <stream> <group> id1 id2 ...` per round trip.
///
/// Group commit: the first ack finding no flush in progress starts one; acks arriving while a
/// flush is on the wire join the next batch (at most ``batchLimit`` IDs). Each caller waits
/// until its own ID was acknowledged, so a worker that drains its tasks has written their acks.
/// `XACK` is idempotent, so a batch that fails on a broken connection is retried until
/// ``retryDeadline`` passes.
final class RedisAckBatcher: Sendable {
    private struct Waiter: Sendable {
        var id: String
        var done: OnceContinuation<Void>
    }

    private struct State: Sendable {
        var pending: [Waiter] = []
        var flusher: Task<Void, Never>?
    }

    private let client: RedisClient
    private let stream: String
    private let group: String
    private let logger: Logger
    private let state = Mutex(State())
    /// The most IDs in one `XACK`.
    let batchLimit = 1000
    /// How long a batch is retried when the connection fails.
    let retryDeadline: Duration

    init(client: RedisClient, stream: String, group: String, retryDeadline: Duration = .seconds(15), logger: Logger) {
        self.client = client
        self.stream = stream
        self.group = group
        self.retryDeadline = retryDeadline
        self.logger = logger
    }

    /// Acknowledges `id`, returning once Redis confirmed it.
    func ack(_ id: String) async throws {
        let done = OnceContinuation<Void>()
        state.withLock { state in
            state.pending.append(Waiter(id: id, done: done))
            if state.flusher == nil {
                // Not a service: a flush lives only until the batch queue is empty, and is
                // joined by every acker (each awaits its own ID) and by drain(). It is not a
                // child of the first acker because that acker must return once its own ID is
                // written, not stay to flush the IDs of tasks that finished after it.
                state.flusher = Task { await self.flushUntilEmpty() }
            }
        }
        try await done.value
    }

    /// Waits for the flush in progress, if any.
    func drain() async {
        while let flusher = state.withLock({ $0.flusher }) {
            await flusher.value
        }
    }

    private func flushUntilEmpty() async {
        while true {
            let batch = state.withLock { state -> [Waiter] in
                let batch = Array(state.pending.prefix(batchLimit))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.flusher = nil }
                return batch
            }
            if batch.isEmpty { return }
            let outcome = await send(batch.map(\.id))
            for waiter in batch { waiter.done.resume(with: outcome) }
        }
    }

    private func send(_ ids: [String]) async -> Result<Void, any Error> {
        let command: [any RESPArgument] = ["XACK", stream, group] + ids
        let deadline = ContinuousClock.now + retryDeadline
        var attempt = 0
        while true {
            do {
                try await client.send(command)
                return .success(())
            } catch let error as RedisConnectionError where error.code != .closedLocally && ContinuousClock.now < deadline {
                attempt += 1
                logger.warning("XACK of \(ids.count) entries failed (attempt \(attempt)), retrying: \(error)")
                try? await Task.sleep(for: .milliseconds(min(1000, 50 * attempt)))
            } catch {
                return .failure(error)
            }
        }
    }
}
