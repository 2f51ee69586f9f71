import TaskiqTestSupport
import Testing

@testable import TaskiqRedis

/// Sentinels that answer what they should not: garbage, an error, a malformed address, the
/// address of a replica. Each is a clear error naming the sentinel, never a trap or a hang.
@Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage))
struct RedisSentinelHostileTests {
    /// `timeout` bounds each sentinel's answer: short only where silence is the point, long where
    /// an answer comes, so a loaded CI machine that delays it cannot turn it into a timeout.
    static func client(sentinelPort: Int, timeout: Duration) throws -> RedisClient {
        var configuration = try RedisConfiguration(url: "redis+sentinel://127.0.0.1:\(sentinelPort)/mymaster")
        configuration.reconnect.attemptsPerCommand = 1
        configuration.connectTimeout = timeout
        return RedisClient(configuration: configuration)
    }

    static func failure(sentinelAnswers reply: String, timeout: Duration = .seconds(60)) async throws -> RedisConnectionError? {
        let sentinel = try FakeServer(reply: Array(reply.utf8))
        defer { sentinel.close() }
        let client = try client(sentinelPort: sentinel.port, timeout: timeout)
        defer { client.close() }
        do {
            try await client.send(["PING"])
            return nil
        } catch {
            return error as? RedisConnectionError
        }
    }

    @Test(arguments: [
        ("HTTP/1.1 400 Bad Request\r\n\r\n", "invalid RESP"),
        ("-ERR unknown command 'SENTINEL'\r\n", "refused SENTINEL GET-MASTER-ADDR-BY-NAME (is it a sentinel?): ERR unknown command"),
        ("*2\r\n$9\r\n127.0.0.1\r\n$5\r\n99999\r\n", "something other than a host and a port"),
        ("*2\r\n$0\r\n\r\n$4\r\n6379\r\n", "something other than a host and a port"),
        ("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "something other than a host and a port"),
        (":7\r\n", "something other than a host and a port"),
        ("*-1\r\n", "does not monitor a master named 'mymaster'"),
    ])
    func aSentinelsBadAnswerIsAClearError(reply: String, why: String) async throws {
        let error = try await Self.failure(sentinelAnswers: reply)
        #expect(error?.code == .connectFailed)
        #expect(error?.description.contains("no sentinel could name master 'mymaster'") == true, "\(String(describing: error))")
        #expect(error?.description.contains(why) == true, "\(String(describing: error))")
    }

    @Test func aSentinelNamingAReplicaIsRefusedByItsRole() async throws {
        // A replica of a master that is not there: its ROLE is "slave".
        try await RedisServer.with(arguments: ["--replicaof", "127.0.0.1", "1"]) { replica in
            let answer = "*2\r\n$9\r\n127.0.0.1\r\n$\(String(replica.port).count)\r\n\(replica.port)\r\n"
            let error = try await Self.failure(sentinelAnswers: answer)
            #expect(error?.code == .connectFailed)
            #expect(error?.description.contains("127.0.0.1:\(replica.port)") == true, "\(String(describing: error))")
            #expect(error?.description.contains("its ROLE is slave") == true, "\(String(describing: error))")
        }
    }

    @Test func aSilentSentinelTimesOut() async throws {
        // Accepts, reads the command, answers nothing.
        let error = try await Self.failure(sentinelAnswers: "", timeout: .seconds(1))
        #expect(error?.code == .connectFailed)
        #expect(error?.description.contains("no sentinel could name master 'mymaster'") == true, "\(String(describing: error))")
    }
}
