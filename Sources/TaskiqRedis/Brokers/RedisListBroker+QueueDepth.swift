import Taskiq

extension RedisListBroker: QueueDepthReporting {
    /// The list's length (`LLEN`): messages not yet popped by a worker.
    public func queueDepths() async throws -> [QueueDepth] {
        let reply = try await client.send(["LLEN", queueName], timeout: .seconds(1)).checked()
        return [QueueDepth(queue: queueName, depth: reply.int ?? 0)]
    }
}
