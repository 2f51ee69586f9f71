import Foundation
import Synchronization
import Taskiq
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A private `redis-server` for one test: a free loopback port, a temporary directory, no
/// persistence, stopped (SIGTERM, then wait) when the test is done.
///
/// ```swift
/// @Suite(.enabled(if: RedisServer.shouldRun, RedisServer.skipMessage)) struct MyTests {
///     @Test func ping() async throws {
///         try await RedisServer.with { server in ... server.url ... }
///     }
/// }
/// ```
/// When `redis-server` is not installed, suites gated on ``shouldRun`` are skipped with a
/// message saying how to install it — unless `CI` is set, where they run and fail.
package final class RedisServer: Sendable {
    package struct StartError: Error, CustomStringConvertible {
        package var description: String
        package init(description: String) { self.description = description }
    }

    /// The port the server listens on (kept across ``restart()``).
    package let port: Int
    /// The password set with `--requirepass`, if any.
    package let password: String?
    package let arguments: [String]
    /// How the server speaks TLS; `nil` for plain TCP.
    package let tls: TLS?
    package let directory: URL
    /// The text of the configuration file the server starts with (`redis.conf` in ``directory``,
    /// written once: a sentinel rewrites its own), or `nil` for none.
    package let configurationFile: String?
    /// The program started: `redis-server`, or another build of it such as `redis-sentinel`.
    package let program: String
    private let process: Mutex<pid_t?>
    private let exited: Mutex<EventStream<Int32>?>

    package static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server", "/usr/sbin/redis-server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Where Debian's `redis-sentinel` is, if installed (the `redis-sentinel` package).
    package static let sentinelExecutable: String? = ["/usr/bin/redis-sentinel", "/usr/local/bin/redis-sentinel"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Whether Redis tests run: the server is installed, or `CI` is set (so they fail there).
    package static let shouldRun = executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why Redis tests were skipped.
    package static let skipMessage: Comment = "redis-server is not installed; run `apt-get install redis-server` to run the Redis tests"

    /// A server that speaks only TLS, on ``port`` (`--tls-port`, `--port 0`).
    package struct TLS: Sendable {
        /// The server's certificate and key.
        package var server: TLSCertificates.Pair
        /// The CA that verifies client certificates.
        package var caFile: String
        /// Whether clients must present a certificate (`--tls-auth-clients yes`).
        package var requireClientCertificate: Bool

        package init(_ server: TLSCertificates.Pair, caFile: String, requireClientCertificate: Bool = false) {
            self.server = server
            self.caFile = caFile
            self.requireClientCertificate = requireClientCertificate
        }
    }

    private init(
        port: Int, password: String?, arguments: [String], tls: TLS?, directory: URL, configurationFile: String?,
        program: String
    ) {
        self.configurationFile = configurationFile
        self.program = program
        self.port = port
        self.password = password
        self.arguments = arguments
        self.tls = tls
        self.directory = directory
        self.process = Mutex(nil)
        self.exited = Mutex(nil)
    }

    /// `redis://[:password@]127.0.0.1:port`, or for a TLS server
    /// `rediss://[:password@]127.0.0.1:port?ssl_cert_reqs=required&ssl_ca_certs=…` trusting the
    /// CA that verifies clients: redis-py's option names, which taskiq for Swift reads too, so
    /// the same string configures a Swift component and a Python taskiq-redis peer.
    package var url: String {
        let credentials = password.map { ":\($0)@" } ?? ""
        guard let tls else { return "redis://\(credentials)127.0.0.1:\(port)" }
        return "rediss://\(credentials)127.0.0.1:\(port)?ssl_cert_reqs=required&ssl_ca_certs=\(tls.caFile)"
    }

    /// How a test's server speaks: plain TCP, or TLS with the certificates of
    /// ``TLSCertificates/shared()``. Tests that matter over both take it as an argument.
    package enum Transport: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case plain, tls

        /// The server options for this transport.
        package func serverTLS() throws -> TLS? {
            guard self == .tls else { return nil }
            let certificates = try TLSCertificates.shared()
            return TLS(certificates.server, caFile: certificates.caFile)
        }

        /// Whether this transport's tests can run here (TLS also needs `openssl`).
        package var isAvailable: Bool { self == .plain || TLSCertificates.shouldRun }

        package var testDescription: String { rawValue }
    }

    /// Starts a server, runs `body`, and stops the server whether `body` throws or not.
    package static func with<T: Sendable>(
        password: String? = nil, arguments: [String] = [], tls: TLS? = nil,
        _ body: (RedisServer) async throws -> T
    ) async throws -> T {
        let server = try await start(password: password, arguments: arguments, tls: tls)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts a server on a free port.
    /// - Parameters:
    ///   - configurationFile: A configuration file's text, given to the server before the other
    ///     arguments (a sentinel's `sentinel monitor …` lines).
    ///   - program: The executable, `redis-server` unless given (`redis-sentinel`, say).
    package static func start(
        password: String? = nil, arguments: [String] = [], tls: TLS? = nil,
        configurationFile: String? = nil, program: String? = nil
    ) async throws -> RedisServer {
        guard executable != nil else { throw StartError(description: "\(skipMessage)") }
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("taskiq-redis-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let server = RedisServer(
                port: try freePort(), password: password, arguments: arguments, tls: tls,
                directory: directory, configurationFile: configurationFile,
                program: program ?? executable!)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error  // most likely the port was taken between probing and binding
                try? FileManager.default.removeItem(at: directory)
            }
        }
        throw lastError!
    }

    /// Stops the server and starts it again on the same port, with an empty dataset.
    package func restart() async throws {
        await terminate()
        try await launch()
    }

    /// Stops the server process but keeps its port and directory for ``resume()``.
    package func pause() async {
        await terminate()
    }

    /// Starts the server again after ``pause()``, on the same port.
    package func resume() async throws {
        try await launch()
    }

    /// Kills the server at once (SIGKILL), as a crash or a lost machine would; its port and
    /// directory are kept for ``resume()``.
    package func kill() async {
        guard
            let pid = process.withLock({ state -> pid_t? in
                defer { state = nil }
                return state
            })
        else { return }
        let events = exited.withLock { $0 }
        Glibc.kill(pid, SIGKILL)
        _ = try? await events?.first(1, timeout: 10)
    }

    /// Stops the server (SIGTERM, then waits for it to exit) and removes its directory.
    package func stop() async {
        await terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    private func launch() async throws {
        var arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--daemonize", "no", "--logfile", directory.appendingPathComponent("redis.log").path,
        ]
        if let password { arguments += ["--requirepass", password] }
        if let tls {
            arguments += [
                "--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.server.certFile,
                "--tls-key-file", tls.server.keyFile, "--tls-ca-cert-file", tls.caFile,
                "--tls-auth-clients", tls.requireClientCertificate ? "yes" : "no",
            ]
        }
        var file: [String] = []
        if let configurationFile {
            let path = directory.appendingPathComponent("redis.conf").path
            if !FileManager.default.fileExists(atPath: path) {
                try configurationFile.write(toFile: path, atomically: true, encoding: .utf8)
            }
            file = [path]
        }
        let pid = try Self.spawn(program, file + arguments + self.arguments)
        let exitEvents = EventStream<Int32>()
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            exitEvents.send(status)
        }
        reaper.start()
        process.withLock { $0 = pid }
        exited.withLock { $0 = exitEvents }
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            if Glibc.kill(pid, 0) != 0 || Self.isZombie(pid) {
                let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
                throw StartError(description: "redis-server on port \(port) exited: \(log.suffix(500))")
            }
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(10))  // a poll interval against a deadline, not a synchronisation
        }
        await terminate()
        throw StartError(description: "redis-server on port \(port) did not accept connections within 10 s")
    }

    private func terminate() async {
        guard
            let pid = process.withLock({ state -> pid_t? in
                defer { state = nil }
                return state
            })
        else { return }
        let events = exited.withLock { $0 }
        Glibc.kill(pid, SIGTERM)
        if (try? await events?.first(1, timeout: 10)) == nil {
            Glibc.kill(pid, SIGKILL)
            _ = try? await events?.first(1, timeout: 5)
        }
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return status.contains(") Z ")
    }

    /// Starts `path` with a clean signal mask and default dispositions.
    ///
    /// Test runner threads block SIGTERM, and a child inherits the mask through exec
    /// (Foundation's `Process` does not reset it), so the server would ignore SIGTERM.
    private static func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else of the test process: a pipe end the server inherited would keep another
        // child's output open until the server exits, and a reader waiting for its end with it.
        SpawnFileActions.closeDescriptors(from: 3, in: &actions)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw StartError(description: "cannot start \(path): \(String(cString: strerror(status)))")
        }
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

    /// A free loopback port no other test in this process was given (see ``freeLoopbackPort()``).
    package static func freePort() throws -> Int { Int(freeLoopbackPort()) }
}
