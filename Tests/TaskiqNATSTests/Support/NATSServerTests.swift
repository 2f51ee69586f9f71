import Foundation
import Taskiq
import TaskiqTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The NATS test helpers against real `nats-server` processes: what the broker tests rely on.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSServerTests {
    @Test func startsWithJetStreamAndAnswersInfo() async throws {
        try await NATSServer.with(monitoring: true) { server in
            let info = try server.info()
            #expect(info["port"] as? Int == server.port, "\(info)")
            #expect(info["jetstream"] as? Bool == true, "\(info)")
            #expect(info["tls_required"] == nil && info["auth_required"] == nil, "\(info)")
            #expect(server.url == "nats://127.0.0.1:\(server.port)")
            let varz = try server.monitoring("/varz")
            #expect(varz["port"] as? Int == server.port, "\(varz)")
            let jsz = try server.monitoring("/jsz")
            #expect(
                (jsz["config"] as? [String: Any])?["store_dir"] as? String
                    == server.storeDirectory.appendingPathComponent("jetstream").path,
                "\(jsz)")
        }
    }

    @Test func restartKeepsThePortAndTheJetStreamStore() async throws {
        try await NATSServer.with(monitoring: true) { server in
            let client = try RawNATSClient(port: server.port)
            let created = try client.request("$JS.API.STREAM.CREATE.probe", #"{"name": "probe", "subjects": ["probe.tasks"]}"#)
            #expect(created.contains(#""type":"io.nats.jetstream.api.v1.stream_create_response""#), "\(created)")
            let acked = try client.request("probe.tasks", "hello")
            #expect(acked.contains(#""stream":"probe""#), "\(acked)")
            client.close()
            let port = server.port

            await server.kill()
            #expect(throws: (any Error).self) { try server.info(timeout: .milliseconds(500)) }
            try await server.restart()
            #expect(server.port == port)
            try await eventually("the stream's message is back after a SIGKILL", seconds: 20) {
                (try? server.monitoring("/jsz"))?["messages"] as? Int == 1
            }

            try await server.restart()  // SIGTERM this time
            #expect(server.port == port)
            let again = try RawNATSClient(port: server.port)
            defer { again.close() }
            let info = try again.request("$JS.API.STREAM.INFO.probe", "")
            #expect(info.contains(#""messages":1"#), "\(info)\n\(server.log.suffix(1000))")
        }
    }

    @Test func pauseFreezesTheServerUntilResumed() async throws {
        try await NATSServer.with { server in
            await server.pause()
            #expect(!server.isRunning)
            #expect(throws: (any Error).self) { try server.info(timeout: .milliseconds(300)) }
            await server.resume()
            #expect(server.isRunning)
            let info = try server.info()
            #expect(info["port"] as? Int == server.port)
        }
    }

    @Test func stopEndsTheProcess() async throws {
        let server = try await NATSServer.start()
        let pid = try #require(server.processIdentifier)
        await server.stop()
        #expect(server.processIdentifier == nil)
        #expect(kill(pid, 0) != 0, "nats-server \(pid) still runs after stop()")
        await server.remove()
        #expect(!FileManager.default.fileExists(atPath: server.directory.path))
    }

    static let authentications: [NATSServer.Authentication] = [.user("taskiq", password: "p@ss:word"), .token("s3cret-token")]

    @Test(arguments: authentications)
    func authenticatedServerRejectsAConnectWithoutCredentials(_ authentication: NATSServer.Authentication) async throws {
        try await NATSServer.with(authentication: authentication) { server in
            #expect(try server.info()["auth_required"] as? Bool == true)
            #expect(server.url(withCredentials: false) == "nats://127.0.0.1:\(server.port)")
            #expect(server.url != server.url(withCredentials: false))

            let anonymous = try RawNATSClient(port: server.port, connect: #"{"verbose":false,"pedantic":false}"#)
            defer { anonymous.close() }
            #expect(try anonymous.line().hasPrefix("-ERR 'Authorization Violation'"))

            let credentials: String
            switch authentication {
            case .user(let user, let password): credentials = #""user":"\#(user)","pass":"\#(password)""#
            case .token(let token): credentials = #""auth_token":"\#(token)""#
            case .none: credentials = ""
            }
            let known = try RawNATSClient(port: server.port, connect: #"{"verbose":false,"pedantic":false,\#(credentials)}"#)
            defer { known.close() }
            #expect(try known.line() == "PONG")
        }
    }

    @Test(.enabled(if: NATSServer.tlsShouldRun, NATSServer.tlsSkipMessage))
    func tlsServerRequiresTLS() async throws {
        try await NATSServer.with(tls: try .shared()) { server in
            let info = try server.info()
            #expect(info["tls_required"] as? Bool == true, "\(info)")
            #expect(server.url == "tls://127.0.0.1:\(server.port)")
            #expect(server.caFile.map { FileManager.default.fileExists(atPath: $0) } == true)
        }
    }

    @Test func clusterElectsAMetaLeaderAndSurvivesLosingIt() async throws {
        try await NATSCluster.with { cluster in
            #expect(cluster.nodes.map(\.serverName) == ["n1", "n2", "n3"])
            #expect(cluster.urls.count == 3 && cluster.url.split(separator: ",").count == 3)
            let leader = try await cluster.waitForMetaLeader()
            for node in cluster.nodes {
                let meta = try #require(try node.monitoring("/jsz")["meta_cluster"] as? [String: Any])
                #expect(meta["cluster_size"] as? Int == 3, "\(meta)")
                #expect(meta["name"] as? String == "taskiq", "\(meta)")
            }
            let port = leader.port
            await leader.kill()
            let next = try await cluster.waitForMetaLeader()
            #expect(next !== leader)
            try await leader.restart()
            #expect(leader.port == port)
            try await eventually("the restarted node rejoined and agrees on the leader", seconds: 60, every: .milliseconds(100)) {
                let reports = cluster.reportedMetaLeaders()
                return reports.count == 3 && Set(reports.values).count == 1 && reports.values.first! != nil
            }
        }
    }

    @Test(.enabled(if: PythonPeer.shouldRunTaskiqNATS, PythonPeer.taskiqNATSSkipMessage))
    func pythonPeerKicksAndRunsThroughJetStream() async throws {
        guard PythonPeer.hasTaskiqNATS else {
            Issue.record("Python taskiq-nats missing in .venv while CI is set; run scripts/install-peers.sh")
            return
        }
        try await NATSServer.with { server in
            let effects = server.directory.appendingPathComponent("effects")
            try FileManager.default.createDirectory(at: effects, withIntermediateDirectories: true)
            let environment = [
                "NATS_URL": server.url, "NATS_BROKER": "jetstream", "NATS_PULL_TIMEOUT": "1",
                "SIDE_EFFECT_DIR": effects.path,
            ]
            // JetStream keeps the tasks kicked before the worker subscribes.
            let kick = try PythonProcess(["nats_kick.py"], environment: environment)
            #expect(await kick.waitForExit(seconds: 60) == 0, "\(kick.output)")
            #expect(kick.output.components(separatedBy: "kicked ").count - 1 == 3, "\(kick.output)")
            let worker = try PythonProcess(["-m", "taskiq", "worker", "nats_tasks:broker", "--workers", "1"], environment: environment)
            defer { worker.killTree() }
            try await eventually("the Python worker ran the three tasks", seconds: 60, every: .milliseconds(100)) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: effects.path)) ?? []
                return names.filter { !$0.hasSuffix(".tmp") }.count == 3
            }
            let sums = try FileManager.default.contentsOfDirectory(atPath: effects.path).sorted().map {
                try String(contentsOf: effects.appendingPathComponent($0), encoding: .utf8)
            }
            #expect(sums.filter { $0.contains(#""sum": 11"#) && $0.contains(#""custom": "é ✓""#) }.count == 1, "\(sums)")
        }
    }
}

/// A NATS client over a raw socket: `CONNECT`, then `PING` so the server's verdict (`PONG` or
/// `-ERR`) is the first line; requests through one inbox subscription.
private struct RawNATSClient {
    let connection: TCPConnection
    let timeout = Duration.seconds(10)

    init(port: Int, connect: String = #"{"verbose":false,"pedantic":false,"headers":true,"no_responders":true}"#) throws {
        connection = try TCPConnection.connect(host: "127.0.0.1", port: UInt16(port), timeout: .seconds(5))
        let info = try line()
        guard info.hasPrefix("INFO ") else { throw RawNATSError(description: "expected INFO, got \(info)") }
        try send("CONNECT \(connect)\r\nPING\r\n")
    }

    func send(_ text: String) throws { try connection.sendAll(Array(text.utf8)) }

    /// The next protocol line, skipping the server's `PING`s.
    func line() throws -> String {
        while true {
            let line = try readLine()
            if line == "PING" {
                try send("PONG\r\n")
                continue
            }
            return line
        }
    }

    /// Publishes `payload` to `subject` with a reply inbox and returns the reply's payload.
    func request(_ subject: String, _ payload: String) throws -> String {
        let pong = try line()
        guard pong == "PONG" else { throw RawNATSError(description: "expected PONG, got \(pong)") }
        let inbox = "_INBOX.\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        try send("SUB \(inbox) 1\r\nPUB \(subject) \(inbox) \(payload.utf8.count)\r\n\(payload)\r\nPING\r\n")
        while true {
            let header = try line()
            if header == "PONG" {
                try send("PING\r\n")
                continue
            }  // the reply can come after the PONG
            let fields = header.split(separator: " ")
            guard fields.first == "MSG" || fields.first == "HMSG", let size = fields.last.flatMap({ Int($0) }) else {
                throw RawNATSError(description: "expected MSG, got \(header)")
            }
            let body = try read(count: size + 2)
            try send("UNSUB 1\r\nPING\r\n")
            return String(decoding: body.dropLast(2), as: UTF8.self)
        }
    }

    func close() {
        connection.shutdown()
        connection.close()
    }

    private func readLine() throws -> String {
        var bytes: [UInt8] = []
        while !(bytes.count >= 2 && bytes[bytes.count - 2] == 13 && bytes[bytes.count - 1] == 10) {
            bytes += try read(count: 1)
        }
        return String(decoding: bytes.dropLast(2), as: UTF8.self)
    }

    private func read(count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard connection.waitReadable(timeout: timeout) else {
                throw RawNATSError(description: "nothing arrived within \(timeout)")
            }
            var buffer = [UInt8](repeating: 0, count: count - bytes.count)
            let received = try buffer.withUnsafeMutableBytes { try connection.receive(into: $0) }
            guard received > 0 else { throw RawNATSError(description: "the server closed the connection") }
            bytes += buffer[..<received]
        }
        return bytes
    }
}

private struct RawNATSError: Error, CustomStringConvertible {
    var description: String
}

/// A Python peer from `Tests/Peers` in the package's `.venv`, its output collected in a file.
private final class PythonProcess: Sendable {
    private let process: Process
    private let outputFile: URL

    init(_ arguments: [String], environment: [String: String]) throws {
        let peers = TestPaths.packageRoot.appendingPathComponent("Tests/Peers")
        outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("nats-peer-\(UUID().uuidString.prefix(8)).out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        process = Process()
        process.executableURL = PythonPeer.python
        process.arguments = ["-u"] + arguments
        process.currentDirectoryURL = peers
        var env = ProcessInfo.processInfo.environment
        env["PYTHONPATH"] = peers.path
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// The exit status, or `nil` if it still runs after `seconds`.
    func waitForExit(seconds: Double) async -> Int32? {
        try? await eventually("the Python peer exited", seconds: seconds, every: .milliseconds(50)) { [process] in
            !process.isRunning
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the peer and the worker processes it forked.
    func killTree() {
        if process.isRunning { killProcessTree(process.processIdentifier) }
        try? FileManager.default.removeItem(at: outputFile)
    }
}
