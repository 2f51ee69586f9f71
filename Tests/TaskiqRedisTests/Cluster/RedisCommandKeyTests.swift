import Testing

@testable import TaskiqRedis

/// Which key a command addresses, for routing on a cluster.
@Suite struct RedisCommandKeyTests {
    @Test(
        arguments: [
            (["SET", "k", "v"], "k"),
            (["get", "k"], "k"),
            (["XADD", "taskiq", "MAXLEN", "~", "10", "*", "data", "x"], "taskiq"),
            (["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "2000", "STREAMS", "taskiq", ">"], "taskiq"),
            (["xreadgroup", "GROUP", "g", "c", "streams", "s1", "s2", ">", ">"], "s1"),
            (["EVAL", "return 1", "2", "{q}:delayed", "{q}"], "{q}:delayed"),
            (["EVALSHA", "abc", "1", "k"], "k"),
            (["XGROUP", "CREATE", "taskiq", "taskiq", "0", "MKSTREAM"], "taskiq"),
            (["XINFO", "STREAM", "taskiq"], "taskiq"),
            (["BRPOP", "jobs", "2"], "jobs"),
        ] as [([String], String)])
    func keyedCommands(command: [String], key: String) {
        #expect(RedisCommandKey.key(of: command) == Array(key.utf8))
    }

    @Test(
        arguments: [
            ["PING"], ["PUBLISH", "channel", "x"], ["SCAN", "0"], ["WAIT", "1", "100"], ["CLUSTER", "SLOTS"],
            ["EVAL", "return 1", "0"], ["EVAL", "return 1", "x", "k"], ["EVAL"], ["XREADGROUP", "GROUP", "g", "c"],
            ["XREADGROUP", "STREAMS"], ["GET"], ["XINFO", "STREAM"], [],
        ] as [[String]])
    func commandsWithoutAKey(command: [String]) {
        #expect(RedisCommandKey.key(of: command) == nil)
    }

    @Test func bytesAndNumbersAreReadAsSent() {
        #expect(RedisCommandKey.key(of: ["GET", [0, 255, 10] as [UInt8]]) == [0, 255, 10])
        #expect(RedisCommandKey.key(of: ["GET", 12345]) == Array("12345".utf8))
        #expect(RedisCommandKey.key(of: ["EVALSHA", "sha", 1, "k"]) == Array("k".utf8))
    }
}
