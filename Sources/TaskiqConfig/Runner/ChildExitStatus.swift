import Taskiq

/// How a child process ended: its own exit status, or a signal that killed it.
package enum ChildExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The process called `exit` with this status.
    case exited(Int32)
    /// The process was terminated by this signal.
    case signaled(Int32)
    /// Someone else reaped the process (or `SIGCHLD` was ignored), so its status is unknown.
    case unknown

    /// Decodes a `waitpid` status word (the `WIFEXITED`/`WTERMSIG` macros are not imported).
    init(waitStatus status: Int32) {
        let terminatingSignal = status & 0x7f
        if terminatingSignal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(terminatingSignal)
        }
    }

    package var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signaled(let signal): "was killed by \(signalName(signal))"
        case .unknown: "exited with an unknown status"
        }
    }
}

/// The conventional name of a signal (`SIGKILL`), or `signal N` for one without a known name.
func signalName(_ signal: Int32) -> String { ProcessSignal.name(signal) }
