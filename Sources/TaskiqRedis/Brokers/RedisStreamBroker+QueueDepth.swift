import Taskiq

extension RedisStreamBroker: QueueDepthReporting {
    /// The consumer group's `lag` (`XINFO GROUPS`, Redis 7): entries not yet delivered to any
    /// worker of the group. Entries delivered and not yet acknowledged are not counted. Empty when
    /// the server does not report a lag.
    public func queueDepths() async throws -> [QueueDepth] {
        let stream = options.queueName
        let reply = try await client.send(["XINFO", "GROUPS", stream], timeout: .seconds(1)).checked()
        for group in reply.array ?? [] {
            guard let fields = group.pairs else { continue }
            var name: String?
            var lag: Int?
            for pair in fields {
                switch pair.key.string {
                case "name": name = pair.value.string
                case "lag": lag = pair.value.int
                default: break
                }
            }
            if name == options.consumerGroupName, let lag { return [QueueDepth(queue: stream, depth: lag)] }
        }
        return []
    }
}
