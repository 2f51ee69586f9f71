import Taskiq

extension RedisStreamBroker: FleetReporting {
    /// The consumers of the group (`XINFO CONSUMERS`) with their idle time and pending count, and
    /// what each Swift worker announced in its lease key; consumers without a lease (Python
    /// taskiq-redis workers, or Swift workers gone for longer than `lease_ttl`) announce nothing.
    public func fleet() async throws -> Fleet {
        let stream = options.queueName
        let group = options.consumerGroupName
        let location = "stream '\(stream)', group '\(group)'"
        let reply: RESPValue
        do {
            reply = try await client.send(["XINFO", "CONSUMERS", stream, group], timeout: .seconds(5)).checked()
        } catch let error as RedisError where error.code == "NOGROUP" || error.message.contains("no such key") {
            return Fleet(queue: location, members: [])  // no worker has read yet: no group, or no stream
        }
        var members: [FleetMember] = []
        for consumer in reply.array ?? [] {
            guard let fields = consumer.pairs else { continue }
            var name: String?
            var pending: Int?
            var idle: Int?
            for pair in fields {
                switch pair.key.string {
                case "name": name = pair.value.string
                case "pending": pending = pair.value.int
                case "idle": idle = pair.value.int
                default: break
                }
            }
            guard let name else { continue }
            members.append(FleetMember(name: name, announcement: nil, idle: idle.map { .milliseconds($0) }, pending: pending))
        }
        guard !members.isEmpty else { return Fleet(queue: location, members: []) }
        let anchor = RedisClusterSlot.anchor(stream, on: client.configuration)
        let leases = try await client.pipeline(
            members.map {
                ["GET", RedisStreamConsumer.leaseKey(queue: anchor, group: group, consumer: $0.name)]
            })
        for (index, lease) in zip(members.indices, leases) {
            members[index].announcement = lease.string.flatMap { WorkerAnnouncement(parsing: $0) }
        }
        return Fleet(queue: location, members: members)
    }
}
