import Synchronization
import Taskiq

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One spawned worker process: its pid, a way to signal it safely, and a thread that waits
/// for its exit.
///
/// The waiting thread blocks in `waitid(..., WNOWAIT)` for this pid only — never
/// `waitpid(-1)`, which would steal exit statuses from other code in the process, such as
/// Foundation's `Process` — and reaps the zombie under the same lock that ``signal(_:)``
/// holds. A pid is therefore never signalled after it was reaped and possibly reused.
package final class ChildProcess: Sendable {
    /// The worker's index, `0..<workers`.
    package let index: Int
    /// The process id.
    package let pid: pid_t

    private let reaped = Mutex(false)

    private init(index: Int, pid: pid_t) {
        self.index = index
        self.pid = pid
    }

    /// Spawns a worker and starts the thread that reports its exit through `onExit`.
    ///
    /// The child inherits standard input, output and error (no other descriptor) and the environment, plus
    /// `TASKIQ_WORKER_INDEX=index`. Its common signals are reset to their default action and
    /// its signal mask emptied: the supervisor ignores SIGINT and SIGTERM while it watches
    /// them, and an ignored disposition would otherwise survive `exec`. It runs in its own
    /// process group so a terminal's Ctrl-C reaches only the supervisor, which forwards it
    /// once; otherwise every worker would see two SIGINTs and take the second as "force exit".
    package static func spawn(
        index: Int, executable: String, arguments: [String], environment: [String: String],
        onExit: @escaping @Sendable (ChildProcess, ChildExitStatus) -> Void
    ) throws(SupervisorError) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var childEnvironment = environment
        childEnvironment["TASKIQ_WORKER_INDEX"] = String(index)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            childEnvironment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }

        var pid = pid_t()
        // A worker gets standard input, output and error only: a descriptor the supervisor's
        // process opened without close-on-exec (a pipe or file of code that embeds the runner)
        // would otherwise stay open in every worker for its whole life.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        SpawnFileActions.closeDescriptors(from: 3, in: &actions)
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SupervisorError(
                code: .spawnFailed, executable: executable,
                message: "could not start worker \(index) from \(executable): \(String(cString: strerror(result)))")
        }
        let child = ChildProcess(index: index, pid: pid)
        do {
            try PlatformThread.start(name: "taskiq-wait-\(pid)", stackSize: 256 << 10) { child.waitForExit(onExit) }
        } catch {
            // Nobody would report its exit: stop it now rather than leave an unwatched worker.
            child.signal(SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            throw SupervisorError(
                code: .spawnFailed, executable: executable,
                message: "could not start the thread that watches worker \(index) (pid \(pid)): \(error)")
        }
        return child
    }

    /// Sends `signal` unless the process was already reaped; returns whether it was sent.
    @discardableResult
    package func signal(_ signal: Int32) -> Bool {
        reaped.withLock { reaped in
            guard !reaped else { return false }
            return kill(pid, signal) == 0
        }
    }

    private func waitForExit(_ onExit: @Sendable (ChildProcess, ChildExitStatus) -> Void) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        let status = reaped.withLock { reaped -> ChildExitStatus in
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, 0) } while result == -1 && errno == EINTR
            reaped = true
            return result == pid ? ChildExitStatus(waitStatus: status) : .unknown
        }
        onExit(self, status)
    }
}
