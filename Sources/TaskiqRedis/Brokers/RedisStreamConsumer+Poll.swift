import Taskiq

extension RedisStreamConsumer {
    /// One delivery without blocking, for ``RedisPriorityReader``: a buffered entry, else this
    /// consumer's own pending entries, else one `XREADGROUP` without `BLOCK`; `nil` when the
    /// stream has nothing for it now (or the consumer stopped).
    func poll() async throws -> AckableMessage? {
        while true {
            if let entry = state.withLock({ $0.pop() }) {
                if let message = await deliverable(entry) { return message }
                continue
            }
            if state.withLock({ $0.stopped }) { return nil }
            if let cursor = state.withLock({ $0.historyCursor }) {
                try await readHistory(after: cursor)
                continue
            }
            let reply = try await client.send([
                "XREADGROUP", "GROUP", group, consumerName, "COUNT", options.xreadCount,
                "STREAMS", queue, ">",
            ])
            let entries = RedisStreamEntry.fromRead(reply)
            guard !entries.isEmpty else { return nil }
            state.withLock { $0.push(entries) }
        }
    }

    /// Buffers entries that a read over several streams brought in for this one.
    func accept(_ entries: [RedisStreamEntry]) {
        guard !entries.isEmpty else { return }
        state.withLock { $0.push(entries) }
    }

    /// After a failed read: this consumer's pending entries are looked at again (a lost reply
    /// still made its entries pending for it).
    func rereadHistory() {
        state.withLock { $0.historyCursor = "0" }
    }

    /// Whether ``handBack()`` stopped this consumer.
    var isStopped: Bool { state.withLock { $0.stopped } }
}
