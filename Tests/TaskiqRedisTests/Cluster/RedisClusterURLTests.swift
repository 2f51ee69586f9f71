import Testing

@testable import TaskiqRedis

/// `redis+cluster://` URLs: seeds, credentials, TLS, and the database a cluster does not have.
@Suite struct RedisClusterURLTests {
    @Test func readsTheSeedsAndCredentials() throws {
        let configuration = try RedisConfiguration(url: "redis+cluster://app:s%3Acret@10.0.0.1:7000,node-b,[::1]:7002")
        #expect(
            configuration.clusterNodes == [
                RedisAddress(host: "10.0.0.1", port: 7000), RedisAddress(host: "node-b", port: 6379),
                RedisAddress(host: "::1", port: 7002),
            ])
        #expect(configuration.username == "app" && configuration.password == "s:cret")
        #expect(configuration.host == "10.0.0.1" && configuration.port == 7000)
        #expect(configuration.address == "cluster via 10.0.0.1:7000,node-b:6379,[::1]:7002")
        #expect(configuration.sentinel == nil && configuration.tls == nil)
        #expect(try RedisConfiguration(url: "rediss+cluster://h:7000/0?ssl_ca_certs=/ca.pem").tls != nil)
        #expect(try RedisConfiguration(url: "redis://h:7000").clusterNodes == nil)
    }

    @Test(arguments: [
        ("redis+cluster://h:7000/1", "a cluster has only database 0, not 1"),
        ("redis+cluster://h:7000?db=3", "a cluster has only database 0, not 3"),
        ("redis+cluster://h:7000,,h:7001", "a cluster node address has no host"),
        ("redis+cluster://h:0", "port '0' is not a number from 1 to 65535"),
        ("redis+cluster://:hunter2@h:7000?sentinel_password=x", "sentinel_password needs a redis+sentinel://"),
    ])
    func rejectsBadClusterURLs(url: String, why: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            let error = error as? RedisConnectionError
            return error?.code == .invalidURL && error?.message.contains(why) == true && error?.message.contains("hunter2") == false
        }
    }

    @Test func companionKeysShareTheirBasesSlotOnlyOnACluster() throws {
        let cluster = try RedisConfiguration(url: "redis+cluster://h:7000")
        let single = try RedisConfiguration(url: "redis://h:7000")
        #expect(RedisClusterSlot.anchor("taskiq", on: single) == "taskiq")
        #expect(RedisClusterSlot.anchor("taskiq", on: cluster) == "{taskiq}")
        #expect(RedisClusterSlot.anchor("{jobs}:high", on: cluster) == "{jobs}:high")
        for base in ["taskiq", "{jobs}:high", "a{b", "ключ", "{x}}{", "🙂{🙂}"] {
            let anchor = RedisClusterSlot.anchor(base, on: cluster)
            #expect(RedisClusterSlot.of("\(anchor):delayed") == RedisClusterSlot.of(base), "\(base)")
        }
        // No tag can stand for these; they are left alone, and a script over two keys gets CROSSSLOT.
        #expect(RedisClusterSlot.anchor("", on: cluster) == "" && RedisClusterSlot.anchor("a}b", on: cluster) == "a}b")
        #expect(RedisDelayedQueue.key(for: "taskiq", on: cluster) == "{taskiq}:delayed")
        #expect(RedisDelayedQueue.key(for: "taskiq", on: single) == "taskiq:delayed")
    }
}
