import Foundation
import Synchronization
import Taskiq
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A private `nats-server` for one test: a free loopback port, a temporary directory, JetStream
/// with a file store in that directory, a log file; stopped (SIGTERM, then wait) and removed when
/// the test is done.
///
/// ```swift
/// @Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage)) struct MyTests {
///     @Test func publish() async throws {
///         try await NATSServer.with(authentication: .token("s3cret")) { server in ... server.url ... }
///     }
/// }
/// ```
/// ``restart()`` keeps the port and the store directory, so JetStream streams, consumers and
/// their messages survive it. When `nats-server` is not installed, suites gated on ``shouldRun``
/// are skipped with a message saying how to install it — unless `CI` is set, where they run and
/// fail.
package final class NATSServer: Sendable {
    /// Why a server could not be started or asked.
    package struct StartError: Error, CustomStringConvertible {
        /// What went wrong, with the end of the server's log when it exited.
        package var description: String
        /// Creates an error.
        package init(description: String) { self.description = description }
    }

    /// What a client must present on `CONNECT`.
    package enum Authentication: Sendable, Equatable {
        /// Nothing.
        case none
        /// A user and password (`--user`, `--pass`): `nats://user:password@…`.
        case user(String, password: String)
        /// A token (`--auth`): `nats://token@…`.
        case token(String)
    }

    /// A server that requires TLS on its client port (`--tls`); it still sends `INFO` in clear
    /// text first, with `"tls_required": true`, as NATS 2.9 does.
    package struct TLS: Sendable {
        /// The server's certificate and key.
        package var server: TLSCertificates.Pair
        /// The CA that verifies the server's certificate (clients' `ca_file`) and, with
        /// ``requireClientCertificate``, client certificates.
        package var caFile: String
        /// Whether clients must present a certificate signed by ``caFile`` (`--tlsverify`).
        package var requireClientCertificate: Bool

        /// Creates TLS options.
        package init(_ server: TLSCertificates.Pair, caFile: String, requireClientCertificate: Bool = false) {
            self.server = server
            self.caFile = caFile
            self.requireClientCertificate = requireClientCertificate
        }

        /// The certificates of ``TLSCertificates/shared()``: a server certificate for
        /// `127.0.0.1` and `localhost`, no client certificate required.
        package static func shared(requireClientCertificate: Bool = false) throws -> TLS {
            let certificates = try TLSCertificates.shared()
            return TLS(certificates.server, caFile: certificates.caFile, requireClientCertificate: requireClientCertificate)
        }
    }

    /// A node's place in a cluster (see ``NATSCluster``).
    package struct ClusterMembership: Sendable {
        /// The cluster's name (`--cluster_name`).
        package var name: String
        /// The port this node's route listener binds on 127.0.0.1 (`--cluster`).
        package var port: Int
        /// The other nodes' route ports (`--routes`).
        package var routes: [Int]
    }

    /// The client port on 127.0.0.1 (kept across ``restart()``).
    package let port: Int
    /// The HTTP monitoring port (`-m`: `/varz`, `/jsz`, `/connz`…), or `nil` without monitoring.
    package let monitoringPort: Int?
    /// What clients present on `CONNECT`.
    package let authentication: Authentication
    /// How the server speaks TLS; `nil` for plain TCP.
    package let tls: TLS?
    /// Whether JetStream is on (`-js`), with its file store in ``storeDirectory``.
    package let jetStream: Bool
    /// The server's name (`--server_name`), set for cluster nodes; `nil` lets the server make one.
    package let serverName: String?
    /// The node's cluster, or `nil` for a standalone server.
    package let cluster: ClusterMembership?
    /// Extra command-line arguments, after the helper's own.
    package let arguments: [String]
    /// The server's directory: `js` (the store), `nats.log`, `nats.pid`, `nats.out`.
    package let directory: URL

    private struct Running {
        var pid: pid_t
        var exit: ExitWatch
        var paused = false
    }

    private let state = Mutex<Running?>(nil)

    /// The `nats-server` executable, if installed (Debian puts it in `/usr/sbin`).
    package static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates =
            path.split(separator: ":").map { "\($0)/nats-server" }
            + ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether NATS tests run: the server is installed, or `CI` is set (so they fail there).
    package static let shouldRun = executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why NATS tests were skipped.
    package static let skipMessage: Comment =
        "nats-server is not installed; run scripts/install-peers.sh (apt-get install nats-server) to run the NATS tests"

    /// Whether NATS TLS tests run: `nats-server` and `openssl` are installed, or `CI` is set.
    package static let tlsShouldRun =
        (executable != nil && TLSCertificates.executable != nil)
        || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why NATS TLS tests were skipped.
    package static let tlsSkipMessage: Comment =
        "nats-server or openssl is not installed; run scripts/install-peers.sh to run the NATS TLS tests"

    init(
        port: Int, monitoringPort: Int?, authentication: Authentication, tls: TLS?, jetStream: Bool,
        serverName: String?, cluster: ClusterMembership?, arguments: [String], directory: URL
    ) {
        self.port = port
        self.monitoringPort = monitoringPort
        self.authentication = authentication
        self.tls = tls
        self.jetStream = jetStream
        self.serverName = serverName
        self.cluster = cluster
        self.arguments = arguments
        self.directory = directory
    }

    /// `nats://127.0.0.1:<port>` (`tls://` for a TLS server) with the credentials of
    /// ``authentication`` (`user:password@` or `token@`): the form nats-py and taskiq for Swift read.
    package var url: String { url() }

    /// The client URL for `host` (`localhost` also matches the TLS certificate), with or without
    /// the credentials.
    package func url(host: String = "127.0.0.1", withCredentials: Bool = true) -> String {
        let scheme = tls == nil ? "nats" : "tls"
        guard withCredentials else { return "\(scheme)://\(host):\(port)" }
        let credentials: String
        switch authentication {
        case .none: credentials = ""
        case .user(let user, let password): credentials = "\(Self.escaped(user)):\(Self.escaped(password))@"
        case .token(let token): credentials = "\(Self.escaped(token))@"
        }
        return "\(scheme)://\(credentials)\(host):\(port)"
    }

    /// The CA file that verifies the server's certificate, or `nil` for a plain server.
    package var caFile: String? { tls?.caFile }

    /// The JetStream store directory (`-sd`); the server keeps its data in `jetstream` below it.
    package var storeDirectory: URL { directory.appendingPathComponent("js") }

    /// The server's log file (`-l`), kept across restarts.
    package var logFile: URL { directory.appendingPathComponent("nats.log") }

    /// The log so far, and anything the server wrote before its log was open, for failure messages.
    package var log: String {
        let early = (try? String(contentsOf: directory.appendingPathComponent("nats.out"), encoding: .utf8)) ?? ""
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return early.isEmpty ? log : "\(early)\n\(log)"
    }

    /// Whether the process runs and is not paused.
    package var isRunning: Bool { state.withLock { $0.map { !$0.paused } ?? false } }

    /// The process ID while started (paused too), `nil` when stopped or killed.
    package var processIdentifier: pid_t? { state.withLock { $0?.pid } }

    /// Starts a server, runs `body`, then stops it and removes its directory whether `body`
    /// throws or not.
    package static func with<T: Sendable>(
        authentication: Authentication = .none, tls: TLS? = nil,
        monitoring: Bool = false, jetStream: Bool = true, arguments: [String] = [],
        _ body: (NATSServer) async throws -> T
    ) async throws -> T {
        let server = try await start(
            authentication: authentication, tls: tls, monitoring: monitoring,
            jetStream: jetStream, arguments: arguments)
        do {
            let result = try await body(server)
            await server.remove()
            return result
        } catch {
            await server.remove()
            throw error
        }
    }

    /// Starts a server on a free port and waits until it sends `INFO`. Call ``remove()`` when done.
    /// - Parameters:
    ///   - monitoring: Also serves HTTP monitoring on ``monitoringPort``.
    ///   - jetStream: Turns JetStream on, with its store in ``storeDirectory``.
    ///   - arguments: More `nats-server` arguments, after the helper's own.
    package static func start(
        authentication: Authentication = .none, tls: TLS? = nil, monitoring: Bool = false,
        jetStream: Bool = true, arguments: [String] = []
    ) async throws -> NATSServer {
        guard executable != nil else { throw StartError(description: "\(skipMessage)") }
        var lastError: (any Error)?
        for _ in 0..<3 {
            let server = NATSServer(
                port: Int(freeLoopbackPort()), monitoringPort: monitoring ? Int(freeLoopbackPort()) : nil,
                authentication: authentication, tls: tls, jetStream: jetStream, serverName: nil,
                cluster: nil, arguments: arguments, directory: try makeDirectory("taskiq-nats"))
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error  // most likely a port was taken between probing and binding
                await server.remove()
            }
        }
        throw lastError!
    }

    /// Stops the server (SIGTERM, then waits; SIGKILL after 10 s). Its port and directory stay
    /// for ``restart()``.
    package func stop() async {
        await end(with: SIGTERM)
    }

    /// Kills the server at once (SIGKILL), as a crash or a lost machine would, and waits for it
    /// to exit. Its port and directory stay for ``restart()``.
    package func kill() async {
        await end(with: SIGKILL)
    }

    /// Stops the server if it runs and starts it again on the same port with the same store
    /// directory, so JetStream data written to disk survives. Waits until it sends `INFO`.
    package func restart() async throws {
        await stop()
        try await launch()
    }

    /// Freezes the server (SIGSTOP) and waits until every thread of it stopped: its sockets stay
    /// open and the kernel still accepts connections, but it answers nothing until ``resume()``.
    package func pause() async {
        guard
            let pid = state.withLock({ running -> pid_t? in
                running?.paused = true
                return running?.pid
            })
        else { return }
        Glibc.kill(pid, SIGSTOP)
        await Self.waitForThreads(of: pid, stopped: true)
    }

    /// Lets a paused server run again (SIGCONT) and waits until its threads run.
    package func resume() async {
        guard
            let pid = state.withLock({ running -> pid_t? in
                running?.paused = false
                return running?.pid
            })
        else { return }
        Glibc.kill(pid, SIGCONT)
        await Self.waitForThreads(of: pid, stopped: false)
    }

    /// Polls `/proc` until every thread of `pid` is (or none is) in the stopped state, for at
    /// most 10 s: a signal is delivered some time after `kill` returns.
    private static func waitForThreads(of pid: pid_t, stopped: Bool) async {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            let states = threads.map { thread -> Bool in
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/stat", encoding: .utf8)) ?? ""
                return stat.contains(") T ") || stat.contains(") t ")
            }
            if threads.isEmpty || states.allSatisfy({ $0 == stopped }) { return }
            try? await Task.sleep(for: .milliseconds(5))  // a poll interval against a deadline, not a synchronisation
        }
    }

    /// Stops the server if it runs and deletes its directory.
    package func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts the process on ``port`` and waits until it sends `INFO` (and its monitoring port
    /// accepts), or throws with its log if it exits or the deadline passes.
    func launch(timeout: Duration = .seconds(30)) async throws {
        guard let executable = Self.executable else { throw StartError(description: "\(Self.skipMessage)") }
        try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
        let pid = try Self.spawn(executable, launchArguments, output: directory.appendingPathComponent("nats.out").path)
        let exit = ExitWatch(pid: pid)
        state.withLock { $0 = Running(pid: pid, exit: exit) }
        Self.live.withLock { _ = $0.insert(pid) }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var lastProblem = "nothing tried"
        while ContinuousClock.now < deadline {
            if let status = exit.status {
                state.withLock { if $0?.pid == pid { $0 = nil } }
                Self.live.withLock { _ = $0.remove(pid) }
                throw StartError(description: "nats-server on port \(port) exited (status \(status)) while starting:\n\(log.suffix(2000))")
            }
            do {
                _ = try Self.info(port: port, timeout: .seconds(2))
                if let monitoringPort { _ = try Self.httpGet(port: monitoringPort, path: "/healthz", timeout: .seconds(2)) }
                return
            } catch {
                lastProblem = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(20))  // a poll interval against a deadline, not a synchronisation
        }
        await end(with: SIGKILL)
        throw StartError(
            description: "nats-server on port \(port) did not send INFO within \(timeout) (\(lastProblem)):\n\(log.suffix(2000))")
    }

    private var launchArguments: [String] {
        var arguments = [
            "-a", "127.0.0.1", "-p", String(port), "-l", logFile.path,
            "-P", directory.appendingPathComponent("nats.pid").path,
        ]
        if jetStream { arguments += ["-js", "-sd", storeDirectory.path] }
        if let monitoringPort { arguments += ["-m", String(monitoringPort)] }
        if let serverName { arguments += ["--server_name", serverName] }
        switch authentication {
        case .none: break
        case .user(let user, let password): arguments += ["--user", user, "--pass", password]
        case .token(let token): arguments += ["--auth", token]
        }
        if let tls {
            arguments += ["--tls", "--tlscert", tls.server.certFile, "--tlskey", tls.server.keyFile]
            if tls.requireClientCertificate { arguments += ["--tlsverify", "--tlscacert", tls.caFile] }
        }
        if let cluster {
            arguments += [
                "--cluster_name", cluster.name, "--cluster", "nats://127.0.0.1:\(cluster.port)",
                "--routes", cluster.routes.map { "nats://127.0.0.1:\($0)" }.joined(separator: ","),
            ]
        }
        return arguments + self.arguments
    }

    private func end(with signal: Int32) async {
        guard
            let running = state.withLock({ state -> Running? in
                defer { state = nil }
                return state
            })
        else { return }
        Glibc.kill(running.pid, signal)
        Glibc.kill(running.pid, SIGCONT)  // a paused process acts on SIGTERM only once continued
        if !(await running.exit.wait(timeout: 10)) {
            Glibc.kill(running.pid, SIGKILL)
            _ = await running.exit.wait(timeout: 10)
        }
        Self.live.withLock { _ = $0.remove(running.pid) }
    }

    static func makeDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func escaped(_ text: String) -> String {
        var allowed = CharacterSet.urlUserAllowed
        allowed.remove(charactersIn: ":@/?#[]%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The servers this process started and has not seen exit; killed at exit, so a test that
    /// failed before stopping its server leaves nothing running.
    private static let live: Mutex<Set<pid_t>> = {
        atexit {
            for pid in NATSServer.live.withLock({ $0 }) { Glibc.kill(pid, SIGKILL) }
        }
        return Mutex([])
    }()

    /// Starts `path` with a clean signal mask and default dispositions, its output to a file.
    ///
    /// Test runner threads block SIGTERM, and a child inherits the mask through exec
    /// (Foundation's `Process` does not reset it), so the server would ignore SIGTERM.
    private static func spawn(_ path: String, _ arguments: [String], output: String) throws -> pid_t {
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
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
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
}

/// Reaps one server process on a thread of its own and tells waiters when it exited.
private final class ExitWatch: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
        var expired: Set<UUID> = []
    }

    private let exited = Mutex(State())

    init(pid: pid_t) {
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            let waiters = exited.withLock { exited in
                exited.status = status
                defer { exited.waiters = [:] }
                return Array(exited.waiters.values)
            }
            for waiter in waiters { waiter.resume(returning: true) }
        }
        thread.start()
    }

    /// The wait status once the process exited.
    var status: Int32? { exited.withLock { $0.status } }

    /// Waits until the process exited (`true`) or `timeout` seconds passed (`false`).
    func wait(timeout: Double) async -> Bool {
        let id = UUID()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let answer = self.exited.withLock { exited -> Bool? in
                        if exited.status != nil { return true }
                        if exited.expired.remove(id) != nil { return false }
                        exited.waiters[id] = continuation
                        return nil
                    }
                    if let answer { continuation.resume(returning: answer) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                let waiter = self.exited.withLock { exited -> CheckedContinuation<Bool, Never>? in
                    if exited.status != nil { return nil }
                    guard let waiter = exited.waiters.removeValue(forKey: id) else {
                        exited.expired.insert(id)  // the other child has not registered yet
                        return nil
                    }
                    return waiter
                }
                waiter?.resume(returning: false)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
