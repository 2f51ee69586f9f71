import Foundation
import Synchronization
import Taskiq
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One private RabbitMQ node for the whole test process: free loopback ports, its own temporary
/// directory (mnesia, logs, cookie), a unique node name, started on first use (about 7 s) and
/// killed when the process exits.
///
/// When `openssl` is installed the node also listens for AMQP over TLS on ``tlsPort``, with the
/// certificates of ``TLSCertificates/shared()``: it requires a client certificate signed by their
/// CA (`verify_peer`, `fail_if_no_peer_cert`). (Serving the expired certificate by SNI through
/// `sni_hosts` in advanced.config crashes Erlang/OTP 25's TLS 1.3 server on every handshake.)
///
/// ```swift
/// @Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage)) struct MyTests {
///     @Test func publish() async throws {
///         let server = try await RabbitMQServer.shared()
///         ... server.port ...
///     }
/// }
/// ```
/// When `rabbitmq-server` is not installed, gated suites are skipped with a message saying how
/// to install it — unless `CI` is set, where they run and fail.
package final class RabbitMQServer: Sendable {
    /// Why the node could not be started.
    package struct StartError: Error, CustomStringConvertible {
        /// What went wrong, with the end of the server's output when it exited.
        package var description: String
        /// Creates an error.
        package init(description: String) { self.description = description }
    }

    /// The AMQP port on 127.0.0.1.
    package let port: Int
    /// The management plugin's HTTP API port on 127.0.0.1 (see ``management(_:_:body:headers:)``).
    package let managementPort: Int
    /// The AMQP-over-TLS port on 127.0.0.1, or `nil` without `openssl`.
    package let tlsPort: Int?
    /// The certificates the TLS listener uses, or `nil` without `openssl`.
    package let certificates: TLSCertificates?
    /// The Erlang node name, `taskiq-<port>@localhost`.
    package let nodeName: String
    /// The node's directory: `mnesia`, `log`, `home` (cookie), `enabled_plugins`.
    package let directory: URL
    /// The default user (guest/guest, allowed on loopback).
    package let user = "guest"
    /// The default user's password.
    package let password = "guest"

    /// Where Debian installs the real scripts (the `/usr/sbin` wrappers `su` to `rabbitmq`).
    package static let binDirectory = "/usr/lib/rabbitmq/bin"

    /// Whether `rabbitmq-server` is installed.
    package static let isInstalled = FileManager.default.isExecutableFile(atPath: "\(binDirectory)/rabbitmq-server")

    /// Whether RabbitMQ tests run: the server is installed, or `CI` is set (so they fail there).
    package static let shouldRun = isInstalled || ProcessInfo.processInfo.environment["CI"] != nil

    /// Whether RabbitMQ TLS tests run: the server and `openssl` are installed, or `CI` is set.
    package static let tlsShouldRun =
        (isInstalled && TLSCertificates.executable != nil)
        || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why RabbitMQ TLS tests were skipped.
    package static let tlsSkipMessage: Comment =
        "rabbitmq-server or openssl is not installed; run scripts/install-peers.sh to run the RabbitMQ TLS tests"

    /// Why RabbitMQ tests were skipped.
    package static let skipMessage: Comment =
        "rabbitmq-server is not installed; run scripts/install-peers.sh (apt-get install rabbitmq-server) to run the RabbitMQ tests"

    /// Erlang flags that stop idle schedulers from busy-waiting (they spin by default).
    static let quietSchedulers = "+sbwt none +sbwtdcpu none +sbwtdio none"

    private static let started = Mutex<Task<RabbitMQServer, any Error>?>(nil)
    /// The process groups to kill and directories to remove at exit (the script `exec`s `erl`,
    /// which starts helpers).
    private static let cleanup = Mutex<(groups: Set<Int32>, directories: [String], registered: Bool)>(([], [], false))

    /// The running node's process group; 0 while stopped.
    private let processGroup = Atomic<Int32>(0)
    private let environment: [String: String]

    private init(
        port: Int, managementPort: Int, tlsPort: Int?, certificates: TLSCertificates?, nodeName: String,
        directory: URL, environment: [String: String]
    ) {
        self.port = port
        self.managementPort = managementPort
        self.tlsPort = tlsPort
        self.certificates = certificates
        self.nodeName = nodeName
        self.directory = directory
        self.environment = environment
    }

    /// `amqp://guest:guest@127.0.0.1:<port>/`.
    package var url: String { "amqp://\(user):\(password)@127.0.0.1:\(port)/" }

    /// `amqps://guest:guest@<host>:<tlsPort>/?<query>`; `nil` without a TLS listener.
    package func tlsURL(host: String = "127.0.0.1", virtualHost: String = "", _ query: String) -> String? {
        tlsPort.map { "amqps://\(user):\(password)@\(host):\($0)/\(virtualHost)?\(query)" }
    }

    /// The node of this test process, started by the first caller; later callers wait for it.
    package static func shared() async throws -> RabbitMQServer {
        let task = started.withLock { task -> Task<RabbitMQServer, any Error> in
            if let task { return task }
            let new = Task { try await start() }
            task = new
            return new
        }
        return try await task.value
    }

    /// A node of its own for a test that stops or restarts it (about 7 s to start): the shared
    /// node must stay up for the other tests. Kill it with ``stop()`` when done; it is killed at
    /// exit anyway.
    /// - Parameter serverCertificate: What its TLS listener presents instead of the usual
    ///   certificate (an expired one, say: one listener serves one certificate).
    package static func startPrivate(serverCertificate: TLSCertificates.Pair? = nil) async throws -> RabbitMQServer {
        try await start(serverCertificate: serverCertificate)
    }

    private static func start(serverCertificate: TLSCertificates.Pair? = nil) async throws -> RabbitMQServer {
        guard isInstalled else { throw StartError(description: "\(skipMessage)") }
        let port = Int(freeLoopbackPort())
        let distributionPort = Int(freeLoopbackPort())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-rabbitmq-\(UUID().uuidString.prefix(8))")
        for sub in ["mnesia", "log", "home"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // The management plugin's HTTP API stands in for rabbitmqctl, which starts an Erlang VM
        // (a second or more of CPU) per call: on a loaded 2-core machine a queue of them overran
        // the tests waiting behind it. Statistics every 500 ms, so channel counts show soon.
        try "[rabbitmq_management].\n".write(to: directory.appendingPathComponent("enabled_plugins"), atomically: true, encoding: .utf8)
        let managementPort = Int(freeLoopbackPort())
        var configuration = """
            management.tcp.ip = 127.0.0.1
            management.tcp.port = \(managementPort)
            collect_statistics_interval = 500

            """
        let nodeName = "taskiq-\(port)@localhost"
        let certificates = TLSCertificates.executable == nil ? nil : try TLSCertificates.shared()
        let tlsPort = certificates.map { _ in Int(freeLoopbackPort()) }
        if let certificates, let tlsPort {
            configuration += """
                listeners.ssl.default = 127.0.0.1:\(tlsPort)
                ssl_options.cacertfile = \(certificates.caFile)
                ssl_options.certfile = \((serverCertificate ?? certificates.server).certFile)
                ssl_options.keyfile = \((serverCertificate ?? certificates.server).keyFile)
                ssl_options.verify = verify_peer
                ssl_options.fail_if_no_peer_cert = true

                """
        }
        try configuration.write(to: directory.appendingPathComponent("rabbitmq.conf"), atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        let path = directory.path
        environment.merge([
            "HOME": "\(path)/home",
            "RABBITMQ_NODENAME": nodeName,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": String(port),
            "RABBITMQ_DIST_PORT": String(distributionPort),
            "RABBITMQ_MNESIA_BASE": "\(path)/mnesia",
            "RABBITMQ_LOG_BASE": "\(path)/log",
            "RABBITMQ_PID_FILE": "\(path)/rabbit.pid",
            "RABBITMQ_ENABLED_PLUGINS_FILE": "\(path)/enabled_plugins",
            "RABBITMQ_CONFIG_FILE": "\(path)/rabbitmq",
            "RABBITMQ_ADVANCED_CONFIG_FILE": "\(path)/advanced.config",
            // Idle Erlang schedulers spin by default; on a 2-core CI machine that spinning starves
            // redis-server and the test process itself.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": Self.quietSchedulers,
        ]) { _, new in new }
        let server = RabbitMQServer(
            port: port, managementPort: managementPort, tlsPort: tlsPort, certificates: certificates, nodeName: nodeName,
            directory: directory, environment: environment)
        cleanup.withLock { cleanup in
            cleanup.directories.append(path)
            guard !cleanup.registered else { return }
            cleanup.registered = true
            atexit {
                let (groups, directories, _) = RabbitMQServer.cleanup.withLock { $0 }
                for group in groups where group > 0 { kill(-group, SIGKILL) }
                for path in directories { try? FileManager.default.removeItem(atPath: path) }
            }
        }
        try await server.launch()
        return server
    }

    /// Starts the node process on its port and data directory and waits until it accepts connections.
    private func launch() async throws {
        let path = directory.path
        let pid = try Self.spawn(
            "\(Self.binDirectory)/rabbitmq-server", environment: environment,
            output: "\(path)/server.out")
        processGroup.store(pid, ordering: .relaxed)
        Self.cleanup.withLock { _ = $0.groups.insert(pid) }
        let deadline = ContinuousClock.now.advanced(by: .seconds(90))
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let output = (try? String(contentsOfFile: "\(path)/server.out", encoding: .utf8)) ?? ""
                throw StartError(
                    description: "rabbitmq-server exited (status \(status)) before listening on \(port): \(output.suffix(1500))")
            }
            if Self.accepts(port: port), Self.accepts(port: managementPort), tlsPort.map({ Self.accepts(port: $0) }) ?? true {
                return
            }
            try await Task.sleep(for: .milliseconds(100))  // a poll interval against a deadline, not a synchronisation
        }
        kill(-pid, SIGKILL)
        throw StartError(description: "rabbitmq-server did not listen on 127.0.0.1:\(port) within 90 s; see \(path)/server.out")
    }

    /// Freezes the node (SIGSTOP to its process group): a hung server whose sockets stay open
    /// and whose kernel still accepts connections, but which answers nothing until ``thaw()``.
    package func freeze() {
        let pid = processGroup.load(ordering: .relaxed)
        if pid > 0 { kill(-pid, SIGSTOP) }
    }

    /// Lets a frozen node run again (SIGCONT).
    package func thaw() {
        let pid = processGroup.load(ordering: .relaxed)
        if pid > 0 { kill(-pid, SIGCONT) }
    }

    /// Stops the node (SIGTERM to its process group: a clean shutdown that closes every client
    /// connection, SIGKILL after 60 s) and waits for it to exit. Its data stays for ``restart()``.
    package func stop() async throws {
        let pid = processGroup.exchange(0, ordering: .relaxed)
        guard pid > 0 else { return }
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            if ContinuousClock.now >= deadline { kill(-pid, SIGKILL) }
            try await Task.sleep(for: .milliseconds(50))  // a poll interval against a deadline, not a synchronisation
        }
        // erl's helpers (epmd is shared and stays) leave with the group.
        kill(-pid, SIGKILL)
        Self.cleanup.withLock { _ = $0.groups.remove(pid) }
    }

    /// Stops the node and starts it again on the same port with the same data (durable queues
    /// and their messages survive).
    package func restart() async throws {
        try await stop()
        try await launch()
    }

    /// A fresh virtual host the default user may use, so a test can declare taskiq's default
    /// names (`taskiq`, `taskiq.dead_letter`) without meeting another test's queues on the shared
    /// node; returns its URL, `amqp://guest:guest@127.0.0.1:<port>/<name>`.
    /// - Throws: ``StartError`` with the API's answer when it fails.
    /// - Parameter name: The host's name; a unique `t-…` one by default.
    package func virtualHost(_ name: String? = nil) async throws -> String {
        let name = name ?? "t-\(UUID().uuidString.prefix(12).lowercased())"
        try await management("PUT", "/api/vhosts/\(name)", expecting: [201, 204])
        try await management(
            "PUT", "/api/permissions/\(name)/\(user)", body: #"{"configure":".*","write":".*","read":".*"}"#,
            expecting: [201, 204])
        return "amqp://\(user):\(password)@127.0.0.1:\(port)/\(name)"
    }

    /// An answer of the management API.
    package struct ManagementResponse: Sendable {
        /// The HTTP status.
        package var status: Int
        /// The body, JSON for listings.
        package var body: String
        /// The body decoded as JSON (`nil` when it is not).
        package var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        /// The body as a JSON array of objects (a listing); empty when it is not one.
        package var objects: [[String: Any]] { json as? [[String: Any]] ?? [] }
    }

    /// Calls the node's management HTTP API as the default user, on a thread of its own.
    /// - Parameters:
    ///   - path: Such as `/api/queues/%2F`; virtual host and object names percent-encoded.
    ///   - body: JSON to send, if any.
    ///   - headers: More headers (`X-Reason` for closing connections).
    ///   - expecting: Statuses that count as success; others throw ``StartError`` with the answer.
    @discardableResult
    package func management(
        _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [],
        expecting: Set<Int> = [200, 201, 204]
    ) async throws -> ManagementResponse {
        let port = managementPort
        let credentials = Data("\(user):\(password)".utf8).base64EncodedString()
        let response = try await offThePool {
            let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://127.0.0.1:\(port)"), timeout: .seconds(60))
            defer { client.close() }
            var all = [("Authorization", "Basic \(credentials)")] + headers
            if body != nil { all.append(("Content-Type", "application/json")) }
            return try client.send(method: method, path: path, headers: all, body: Array((body ?? "").utf8))
        }
        let answer = ManagementResponse(status: response.status, body: response.bodyText)
        guard expecting.contains(answer.status) else {
            throw StartError(description: "management API \(method) \(path) answered \(answer.status): \(answer.body)")
        }
        return answer
    }

    /// `name` percent-encoded as one path segment of the management API (`/` is `%2F`).
    package static func segment(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    /// Starts `path` in a process group of its own, with a clean signal mask, output to a file.
    private static func spawn(_ path: String, environment: [String: String], output: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        SpawnFileActions.closeDescriptors(from: 3, in: &actions)  // no pipe of the test process stays open in the node
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard status == 0 else { throw StartError(description: "cannot start \(path): error \(status)") }
        return pid
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Starts the shared RabbitMQ node before a suite's tests run, so its start-up (about 7 s, more
/// on a busy machine) is not charged to the timeout of whichever test happens to ask first.
///
/// ```swift
/// @Suite(.enabled(if: RabbitMQServer.shouldRun, RabbitMQServer.skipMessage), .rabbitMQNode)
/// ```
/// When the node cannot start, every test of the suite fails with the reason.
package struct RabbitMQNodeTrait: SuiteTrait, TestTrait, TestScoping {
    /// Once for the suite, not again around each of its tests.
    package var isRecursive: Bool { false }

    /// Starts (or waits for) the shared node, then runs the suite.
    package func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        _ = try await RabbitMQServer.shared()
        try await function()
    }
}

extension Trait where Self == RabbitMQNodeTrait {
    /// Starts the shared RabbitMQ node before the suite runs; see ``RabbitMQNodeTrait``.
    package static var rabbitMQNode: Self { Self() }
}
