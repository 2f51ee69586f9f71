import TaskiqTestSupport
import Testing

@testable import TaskiqRedis

/// Key slots, redirects and slot maps: byte fixtures, hostile replies, and the real cluster's
/// own answers (`CLUSTER KEYSLOT`, `CLUSTER SLOTS`, `-MOVED`).
@Suite struct RedisClusterSlotTests {
    @Test(arguments: [
        ("123456789", 12739),  // CRC16-XMODEM check value 0x31C3
        ("", 0),  // the values are what CLUSTER KEYSLOT answers
        ("foo", 12182),
        ("bar", 5061),
        ("{user1000}.following", 3443), ("{user1000}.followers", 3443), ("user1000", 3443),
        ("foo{}{bar}", 8363),  // an empty tag: the whole key
        ("foo{{bar}}zap", 4015),  // the tag is "{bar"
        ("foo{bar}{zap}", 5061),  // the first tag only: "bar"
        ("{taskiq}:delayed", 7559), ("taskiq", 7559),
    ])
    func slotsMatchRedis(key: String, slot: Int) {
        #expect(RedisClusterSlot.of(key) == slot)
    }

    @Test func redirectsAreRead() {
        #expect(
            RedisRedirect(RedisError(code: "MOVED", message: "3999 127.0.0.1:6381"))
                == RedisRedirect.expected(.moved, 3999, "127.0.0.1", 6381))
        #expect(RedisRedirect(RedisError(code: "ASK", message: "0 10.0.0.2:7000")) == RedisRedirect.expected(.ask, 0, "10.0.0.2", 7000))
        #expect(RedisRedirect(RedisError(code: "MOVED", message: "16383 [::1]:7000")) == RedisRedirect.expected(.moved, 16383, "::1", 7000))
        #expect(RedisRedirect(RedisError(code: "MOVED", message: "12 ::1:7000")) == RedisRedirect.expected(.moved, 12, "::1", 7000))
    }

    @Test(arguments: [
        "16384 127.0.0.1:6381", "-1 127.0.0.1:6381", "3999 127.0.0.1:0", "3999 127.0.0.1:65536", "3999 127.0.0.1",
        "3999", "", "x 127.0.0.1:1", "3999 127.0.0.1:99999999999999999999999", "1 2 3",
    ])
    func malformedRedirectsAreNotRedirects(message: String) {
        #expect(RedisRedirect(RedisError(code: "MOVED", message: message)) == nil)
        #expect(RedisRedirect(RedisError(code: "ERR", message: "3999 127.0.0.1:6381")) == nil)
    }

    @Test func aSlotsReplyMapsEverySlotToItsMaster() throws {
        let seed = RedisAddress(host: "10.0.0.9", port: 7000)
        let reply = RESPValue.array([
            Self.range(0, 5460, host: "10.0.0.1", port: 7001, replica: ("10.0.0.4", 7004)),
            Self.range(5461, 10922, host: "", port: 7000),
            Self.range(10923, 16383, host: "10.0.0.3", port: 7003),
        ])
        var topology = try RedisClusterTopology(slots: reply, askedAt: seed)
        #expect(topology.coveredSlots == 16384)
        #expect(topology.master(forSlot: 0) == RedisAddress(host: "10.0.0.1", port: 7001))
        #expect(topology.master(forSlot: 5461) == seed, "an empty host is the node asked")
        #expect(topology.master(forSlot: 16383) == RedisAddress(host: "10.0.0.3", port: 7003))
        #expect(topology.master(forSlot: 16384) == nil && topology.master(forSlot: -1) == nil)
        topology.move(slot: 0, to: RedisAddress(host: "10.0.0.3", port: 7003))
        #expect(topology.master(forSlot: 0) == RedisAddress(host: "10.0.0.3", port: 7003))
        #expect(topology.masters.count == 3)
    }

    @Test func uncoveredSlotsHaveNoMaster() throws {
        let topology = try RedisClusterTopology(
            slots: .array([Self.range(100, 199, host: "h", port: 1)]),
            askedAt: RedisAddress(host: "s", port: 2))
        #expect(topology.coveredSlots == 100)
        #expect(topology.master(forSlot: 99) == nil && topology.master(forSlot: 150)?.host == "h")
    }

    @Test(arguments: [
        RESPValue.simpleString("OK"),
        .array([.integer(0)]),
        .array([Self.range(0, 16384, host: "h", port: 1)]),
        .array([Self.range(-1, 5, host: "h", port: 1)]),
        .array([Self.range(10, 5, host: "h", port: 1)]),
        .array([Self.range(0, 5, host: "h", port: 0)]),
        .array([Self.range(0, 5, host: "h", port: 70000)]),
        .array([.array([.integer(0), .integer(5), .bulkString(Array("h".utf8))])]),
        .array([.array([.integer(Int64.min), .integer(Int64.max), .array([.bulkString(Array("h".utf8)), .integer(1)])])]),
    ])
    func malformedSlotsRepliesAreErrors(reply: RESPValue) {
        #expect(throws: RedisClusterTopology.Malformed.self) {
            try RedisClusterTopology(slots: reply, askedAt: RedisAddress(host: "s", port: 1))
        }
    }

    static func range(_ start: Int64, _ end: Int64, host: String, port: Int64, replica: (String, Int64)? = nil) -> RESPValue {
        var fields: [RESPValue] = [
            .integer(start), .integer(end),
            .array([.bulkString(Array(host.utf8)), .integer(port), .bulkString(Array("id".utf8))]),
        ]
        if let replica { fields.append(.array([.bulkString(Array(replica.0.utf8)), .integer(replica.1)])) }
        return .array(fields)
    }
}

extension RedisRedirect {
    static func expected(_ kind: Kind, _ slot: Int, _ host: String, _ port: Int) -> RedisRedirect? {
        RedisRedirect(
            RedisError(code: kind == .moved ? "MOVED" : "ASK", message: "\(slot) \(host.contains(":") ? "[\(host)]" : host):\(port)"))
    }
}

/// The same answers from a real six-node cluster.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisClusterServerTests {
    @Test func slotsMapsAndRedirectsAgreeWithARealCluster() async throws {
        try await RedisClusterGroup.with { cluster in
            let port = cluster.nodes[0].port
            let keys: [[UInt8]] =
                [
                    "taskiq", "{taskiq}:delayed", "taskiq:dead", "{a}{b}", "{}", "{", "}{x}", "ключ", "🙂{🙂}",
                    "", String(repeating: "k", count: 10_000),
                ].map { Array($0.utf8) }
                + [[0, 255, 123, 1, 125, 0], Array(0...255)]
            for key in keys {
                let slot = try await RedisClusterGroup.command(["CLUSTER", "KEYSLOT", key], port: port).int
                #expect(slot == RedisClusterSlot.of(key), "key \(key.prefix(20))")
            }
            let reply = try await RedisClusterGroup.command(["CLUSTER", "SLOTS"], port: port)
            let topology = try RedisClusterTopology(slots: reply, askedAt: RedisAddress(host: "127.0.0.1", port: port))
            #expect(topology.coveredSlots == RedisClusterSlot.count)
            #expect(Set(topology.masters.map(\.port)) == Set(cluster.nodes.prefix(3).map(\.port)))
            // Asking a master that does not own the key's slot: -MOVED to the owner the map names.
            let owner = try #require(topology.master(forSlot: RedisClusterSlot.of("taskiq")))
            let other = try #require(topology.masters.first { $0 != owner })
            await #expect {
                try await RedisClusterGroup.command(["GET", "taskiq"], port: other.port)
            } throws: { error in
                guard let error = error as? RedisError, let redirect = RedisRedirect(error) else { return false }
                return redirect.kind == .moved && redirect.slot == RedisClusterSlot.of("taskiq")
                    && RedisAddress(host: redirect.host, port: redirect.port) == owner
            }
        }
    }
}
