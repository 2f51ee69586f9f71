#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signal numbers and the immediate exit that the runner and the supervisor use, so that
/// code handling signals needs no platform import.
///
/// ```swift
/// for await signal in SignalSequence([ProcessSignal.interrupt, ProcessSignal.terminate]) {
///     print("received \(ProcessSignal.name(signal))")
/// }
/// ```
public enum ProcessSignal {
    /// `SIGINT`, sent by Ctrl-C.
    public static let interrupt: Int32 = SIGINT
    /// `SIGTERM`, the polite request to stop.
    public static let terminate: Int32 = SIGTERM
    /// `SIGKILL`, which cannot be caught.
    public static let kill: Int32 = SIGKILL

    /// The conventional name of a signal (`SIGKILL`), or `signal N` for one without a known name.
    public static func name(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
            SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
            SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGCHLD: "SIGCHLD",
            SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP", SIGXCPU: "SIGXCPU",
            SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// Ends the process at once with `status` (`_exit`): no atexit handlers, no buffered
    /// output flushed, for a second signal that must not wait for anything.
    public static func exitImmediately(_ status: Int32) -> Never { _exit(status) }
}
