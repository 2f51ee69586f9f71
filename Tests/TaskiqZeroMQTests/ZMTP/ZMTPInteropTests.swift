import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// Our sockets against real libzmq 4.3.5 (pyzmq 27.3) running as a child process.
@Suite(
    .enabled(
        if: PythonPeer.shouldRun,
        "pyzmq peer not installed; run `\(PythonPeer.installHint)` at the package root (with CI set, this fails instead)"),
    .serialized)
struct ZMTPInteropTests {
    static let options = ZMTPSocketOptions(
        sendTimeout: .seconds(10), reconnectInterval: .milliseconds(50), reconnectIntervalMax: .milliseconds(500))

    /// `recv <parts> <lengths> <first>` → (parts, lengths, first).
    func parse(_ line: String) -> (parts: Int, lengths: String, first: String) {
        let words = line.split(separator: " ", maxSplits: 3).map(String.init)
        return (Int(words[1]) ?? -1, words[2], words.count > 3 ? words[3] : "")
    }

    @Test func pyzmqPushToOurPull() async throws {
        guard PythonPeer.requirePeer() else { return }
        try await withTimeout(seconds: 60) {
            let pull = ZMTPSocket(type: .pull, options: Self.options)
            let endpoint = try pull.bind("tcp://127.0.0.1:0")
            let peer = try PythonPeer(["push", "--connect", endpoint.description, "--count", "100", "--big", "300"])
            for index in 0..<100 {
                let parts = try await pull.receive()
                #expect(parts.count == 2)
                #expect(String(decoding: parts[0], as: UTF8.self) == "msg-\(index)")
                #expect(parts[1] == [UInt8](repeating: UInt8(ascii: "x"), count: 300))
            }
            _ = try await peer.line(startingWith: "done")
            #expect(try await peer.waitForExit() == 0)
            await pull.close()
        }
    }

    @Test func ourPushToPyzmqPull() async throws {
        guard PythonPeer.requirePeer() else { return }
        try await withTimeout(seconds: 60) {
            let peer = try PythonPeer(["pull", "--bind", "tcp://127.0.0.1:0", "--count", "50"])
            let endpoint = try await peer.boundEndpoint()
            let push = ZMTPSocket(type: .push, options: Self.options)
            try push.connect(endpoint)
            for index in 0..<50 {
                // Frames of 0, 255, 256 and 70,000 bytes cover short, boundary and long sizes.
                let sizes = [0, 255, 256, 70_000]
                try await push.send([Array("swift-\(index)".utf8)] + sizes.map { [UInt8](repeating: 0x61, count: $0) })
            }
            let lines = try await peer.lines(startingWith: "recv ", count: 50)
            for (index, line) in lines.enumerated() {
                let (parts, lengths, first) = parse(line)
                #expect(parts == 5)
                #expect(lengths == "\("swift-\(index)".utf8.count),0,255,256,70000")
                #expect(first == "swift-\(index)")
            }
            #expect(try await peer.waitForExit() == 0)
            await push.close()
        }
    }

    @Test func pyzmqPublisherToOurSubscriber() async throws {
        guard PythonPeer.requirePeer() else { return }
        try await withTimeout(seconds: 60) {
            // XPUB is a PUB on the wire that also reports subscriptions, so the peer can wait
            // for ours instead of losing messages to the slow-joiner effect.
            let peer = try PythonPeer(["xpub", "--bind", "tcp://127.0.0.1:0", "--count", "20", "--topic", "jobs."])
            let endpoint = try await peer.boundEndpoint()
            let sub = ZMTPSocket(type: .sub, options: Self.options)
            try sub.subscribe(Array("jobs.".utf8))
            try sub.connect(endpoint)
            let subscribed = try await peer.line(startingWith: "subscribed ")
            #expect(subscribed == "subscribed 01" + Array("jobs.".utf8).map { String($0, radix: 16) }.joined())
            for index in 0..<20 {
                let parts = try await sub.receive()
                #expect(String(decoding: parts[0], as: UTF8.self) == "jobs.msg-\(index)")
                #expect(parts.count == 2 && parts[1].count == 300)
            }
            #expect(try await peer.waitForExit() == 0)
            await sub.close()
        }
    }

    @Test(arguments: [UInt8(1), 0])
    func ourPublisherToPyzmqSubscriber(zmtpMinor: UInt8) async throws {
        guard PythonPeer.requirePeer() else { return }
        try await withTimeout(seconds: 60) {
            // Announcing 3.0 makes libzmq send the legacy 0x01-message subscription; 3.1 the command.
            var options = Self.options
            options.zmtpMinorVersion = zmtpMinor
            let pub = ZMTPSocket(type: .pub, options: options)
            let endpoint = try pub.bind("tcp://127.0.0.1:0")
            let peer = try PythonPeer(["sub", "--connect", endpoint.description, "--count", "3", "--topic", "task"])
            #expect(try await pub.waitForSubscribers(timeout: .seconds(20)))
            for name in ["task-1", "other-1", "task-2", "tas", "task-3"] {
                try await pub.send([Array(name.utf8), [UInt8](repeating: 0x62, count: 1000)])
            }
            let lines = try await peer.lines(startingWith: "recv ", count: 3)
            #expect(lines.map { parse($0).first } == ["task-1", "task-2", "task-3"])
            #expect(lines.allSatisfy { parse($0).lengths == "6,1000" })
            #expect(try await peer.waitForExit() == 0)
            await pub.close()
        }
    }

    @Test func ourPullReconnectsAfterPyzmqPushRestarts() async throws {
        guard PythonPeer.requirePeer() else { return }
        try await withTimeout(seconds: 60) {
            let first = try PythonPeer(["push", "--bind", "tcp://127.0.0.1:0", "--count", "3", "--prefix", "first"])
            let endpoint = try await first.boundEndpoint()
            let pull = ZMTPSocket(type: .pull, options: Self.options)
            try pull.connect(endpoint)
            for index in 0..<3 {
                #expect(String(decoding: try await pull.receive()[0], as: UTF8.self) == "first-\(index)")
            }
            #expect(try await first.waitForExit() == 0)
            // Same port again: our PULL must notice the drop, reconnect and handshake anew.
            let second = try PythonPeer(["push", "--bind", endpoint, "--count", "3", "--prefix", "second"])
            _ = try await second.boundEndpoint()
            for index in 0..<3 {
                #expect(String(decoding: try await pull.receive()[0], as: UTF8.self) == "second-\(index)")
            }
            #expect(try await second.waitForExit() == 0)
            await pull.close()
        }
    }

    @Test func ourSubResubscribesAfterPyzmqPublisherRestarts() async throws {
        guard PythonPeer.requirePeer() else { return }
        try await withTimeout(seconds: 60) {
            let first = try PythonPeer(["xpub", "--bind", "tcp://127.0.0.1:0", "--count", "1", "--topic", "t"])
            let endpoint = try await first.boundEndpoint()
            let sub = ZMTPSocket(type: .sub, options: Self.options)
            try sub.subscribe(Array("t".utf8))
            try sub.connect(endpoint)
            _ = try await first.line(startingWith: "subscribed ")
            #expect(String(decoding: try await sub.receive()[0], as: UTF8.self) == "tmsg-0")
            #expect(try await first.waitForExit() == 0)
            let second = try PythonPeer(["xpub", "--bind", endpoint, "--count", "1", "--topic", "t", "--prefix", "again"])
            #expect(try await second.line(startingWith: "subscribed ") == "subscribed 0174")
            #expect(String(decoding: try await sub.receive()[0], as: UTF8.self) == "tagain-0")
            #expect(try await second.waitForExit() == 0)
            await sub.close()
        }
    }
}
