/// Which master of a Redis Cluster serves each of the 16384 slots, as `CLUSTER SLOTS` reports it.
///
/// ```swift
/// var topology = try RedisClusterTopology(slots: reply, askedAt: seed)
/// let node = topology.master(forSlot: RedisClusterSlot.of("taskiq"))
/// topology.move(slot: redirect.slot, to: RedisAddress(host: redirect.host, port: redirect.port))  // after -MOVED
/// ```
package struct RedisClusterTopology: Sendable, Hashable {
    /// Why a `CLUSTER SLOTS` reply could not be read.
    package struct Malformed: Error, Sendable, CustomStringConvertible {
        /// What is wrong with the reply.
        package var description: String
    }

    /// The masters, in the order the reply first named them.
    package private(set) var masters: [RedisAddress]
    /// Per slot, the index of its master in ``masters``; -1 for a slot no master serves.
    private var owners: [Int32]

    /// Reads a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, …], replica…], …]`.
    /// - Parameters:
    ///   - reply: The reply.
    ///   - askedAt: The node asked; a master announced with an empty host is on its host.
    /// - Throws: ``Malformed`` for a reply of another shape, a slot outside 0…16383, a port
    ///   outside 1…65535, or a range that ends before it starts.
    package init(slots reply: RESPValue, askedAt: RedisAddress) throws(Malformed) {
        guard let ranges = reply.array else { throw Malformed(description: "CLUSTER SLOTS did not answer an array") }
        masters = []
        owners = Array(repeating: -1, count: RedisClusterSlot.count)
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].int, let end = fields[1].int else {
                throw Malformed(description: "a CLUSTER SLOTS entry is not [start, end, master, …]")
            }
            guard (0..<RedisClusterSlot.count).contains(start), (start..<RedisClusterSlot.count).contains(end) else {
                throw Malformed(description: "CLUSTER SLOTS names slots \(start)-\(end), outside 0-16383 or backwards")
            }
            guard let node = fields[2].array, node.count >= 2, let announced = node[0].string, let port = node[1].int,
                (1...65535).contains(port)
            else {
                throw Malformed(description: "the master of slots \(start)-\(end) is not [host, port, …] with a port from 1 to 65535")
            }
            // Redis answers "" (or "?" for an unknown host name) for the node that was asked.
            let host = announced.isEmpty || announced == "?" ? askedAt.host : announced
            let index = indexOf(RedisAddress(host: host, port: port))
            for slot in start...end { owners[slot] = index }
        }
    }

    /// The master serving `slot`, or `nil` when none does (the cluster is down for it).
    package func master(forSlot slot: Int) -> RedisAddress? {
        guard (0..<RedisClusterSlot.count).contains(slot), owners[slot] >= 0 else { return nil }
        return masters[Int(owners[slot])]
    }

    /// Records that `slot` is now served by `master`, as a `MOVED` reply says.
    package mutating func move(slot: Int, to master: RedisAddress) {
        guard (0..<RedisClusterSlot.count).contains(slot) else { return }
        owners[slot] = indexOf(master)
    }

    /// How many slots some master serves.
    package var coveredSlots: Int { owners.lazy.filter { $0 >= 0 }.count }

    private mutating func indexOf(_ address: RedisAddress) -> Int32 {
        if let index = masters.firstIndex(of: address) { return Int32(index) }
        masters.append(address)
        return Int32(masters.count - 1)
    }
}
