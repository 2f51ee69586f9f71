import Testing

@testable import TaskiqRedis

/// `redis+sentinel://` URLs: sentinels, master name, database and both sets of credentials.
@Suite struct RedisSentinelURLTests {
    @Test func readsSentinelsMasterNameDatabaseAndCredentials() throws {
        let configuration = try RedisConfiguration(
            url:
                "redis+sentinel://worker:m%40ster@10.0.0.1:26380,sentinel-b,[::1]:26381/my%20master/3?sentinel_username=watch&sentinel_password=s%26cret"
        )
        let sentinel = try #require(configuration.sentinel)
        #expect(
            sentinel.addresses == [
                .init(host: "10.0.0.1", port: 26380), .init(host: "sentinel-b", port: 26379),
                .init(host: "::1", port: 26381),
            ])
        #expect(sentinel.masterName == "my master")
        #expect(sentinel.username == "watch")
        #expect(sentinel.password == "s&cret")
        #expect(configuration.username == "worker")
        #expect(configuration.password == "m@ster")
        #expect(configuration.database == 3)
        #expect(configuration.tls == nil)
        #expect(configuration.address == "master 'my master' via sentinels 10.0.0.1:26380,sentinel-b:26379,[::1]:26381")
        #expect(configuration.reconnect.attemptsPerCommand == RedisReconnectPolicy.attemptsThroughFailover)
    }

    @Test func theDatabaseMayComeFromTheQueryAndTLSFromTheScheme() throws {
        let configuration = try RedisConfiguration(url: "rediss+sentinel://127.0.0.1/mymaster?db=2&ssl_ca_certs=/tmp/ca.pem")
        #expect(configuration.sentinel?.masterName == "mymaster")
        #expect(configuration.database == 2)
        #expect(configuration.tls != nil)
    }

    @Test func aPlainURLHasNoSentinel() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:6379/1")
        #expect(configuration.sentinel == nil)
        #expect(configuration.reconnect.attemptsPerCommand == RedisReconnectPolicy().attemptsPerCommand)
    }

    @Test(arguments: [
        ("redis+sentinel://127.0.0.1:26379", "no master name"),
        ("redis+sentinel://127.0.0.1:26379/", "no master name"),
        ("redis+sentinel://127.0.0.1:26379,/mymaster", "a sentinel address has no host"),
        ("redis+sentinel://127.0.0.1:99999/mymaster", "port '99999' is not a number from 1 to 65535"),
        ("redis+sentinel://127.0.0.1/mymaster/x", "database 'x' is not a non-negative number"),
        ("redis://127.0.0.1/0?sentinel_password=hunter2", "sentinel_password needs a redis+sentinel:// or rediss+sentinel:// URL"),
        ("redis+sentinel://127.0.0.1/mymaster?sentinel_password=%zz", "bad percent-encoding in sentinel_password"),
    ])
    func rejectsBadSentinelURLs(url: String, why: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            let error = error as? RedisConnectionError
            return error?.code == .invalidURL && error?.message.contains(why) == true
                && error?.message.contains("hunter2") == false && error?.message.contains("%zz") == false
        }
    }

    @Test func aSentinelAnswerIsReadOnlyWhenItIsAnAddress() {
        #expect(
            RedisSentinel.address(from: .array([.bulkString(Array("10.0.0.9".utf8)), .bulkString(Array("6380".utf8))]))
                == .init(host: "10.0.0.9", port: 6380))
        #expect(RedisSentinel.address(from: .null(.array)) == nil)
        #expect(RedisSentinel.address(from: .array([.bulkString(Array("h".utf8)), .bulkString(Array("0".utf8))])) == nil)
        #expect(
            RedisSentinel.address(from: .array([.bulkString(Array("h".utf8)), .bulkString(Array("99999999999999999999".utf8))])) == nil)
        #expect(RedisSentinel.address(from: .array([.bulkString([])])) == nil)
    }
}
