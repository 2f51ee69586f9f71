import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide, reference-counted signal dispositions for ``SignalSequence``.
///
/// The first subscriber to a signal saves its disposition and ignores the signal, so that
/// the default action (usually termination) no longer happens; the last one restores it.
///
/// On Linux, libdispatch replaces the disposition with its own forwarding handler the first
/// time a source for a signal registers, and never installs it again. So that a later
/// subscription still receives the signal, the handler found when unsubscribing is saved
/// and put back, instead of `SIG_IGN`, when the signal is subscribed again.
enum SignalDisposition {
    private struct Entry {
        var subscribers = 0
        var original = sigaction()
        var whileSubscribed: sigaction?
    }

    private static let entries = Mutex<[Int32: Entry]>([:])

    static func subscribe(_ signal: Int32, original: sigaction) {
        entries.withLock { entries in
            var entry = entries[signal] ?? Entry()
            entry.subscribers += 1
            if entry.subscribers == 1 {
                entry.original = original
                let current = current(signal)
                if isDefault(current) || isIgnoring(current) {
                    var replacement = entry.whileSubscribed ?? ignoring()
                    sigaction(signal, &replacement, nil)
                }
            }
            entries[signal] = entry
        }
    }

    /// The signal's disposition now.
    static func current(_ signal: Int32) -> sigaction {
        var action = sigaction()
        sigaction(signal, nil, &action)
        return action
    }

    private static func isDefault(_ action: sigaction) -> Bool {
        guard action.sa_flags & SA_SIGINFO == 0 else { return false }
        #if canImport(Glibc)
        let handler = action.__sigaction_handler.sa_handler
        #else
        let handler = action.__sigaction_u.__sa_handler
        #endif
        // SIG_DFL is the null handler.
        return handler == nil
    }

    static func unsubscribe(_ signal: Int32) {
        entries.withLock { entries in
            guard var entry = entries[signal], entry.subscribers > 0 else { return }
            entry.subscribers -= 1
            if entry.subscribers == 0 {
                var current = sigaction()
                sigaction(signal, &entry.original, &current)
                if !isIgnoring(current) { entry.whileSubscribed = current }
            }
            entries[signal] = entry
        }
    }

    private static func ignoring() -> sigaction {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = SIG_IGN
        #else
        action.__sigaction_u.__sa_handler = SIG_IGN
        #endif
        sigemptyset(&action.sa_mask)
        return action
    }

    private static func isIgnoring(_ action: sigaction) -> Bool {
        guard action.sa_flags & SA_SIGINFO == 0 else { return false }
        #if canImport(Glibc)
        let handler = action.__sigaction_handler.sa_handler
        #else
        let handler = action.__sigaction_u.__sa_handler
        #endif
        guard let handler else { return false }
        let ignore: sighandler_t = SIG_IGN
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(ignore, to: Int.self)
    }

    /// Sets `SIGPIPE` to ignored if it still has its default action, once per process, so that
    /// writing to a closed pipe reports `EPIPE` instead of killing the process. A handler
    /// someone else installed is left alone.
    static func ignoreDefaultSIGPIPE() { _ = sigpipeIgnored }

    private static let sigpipeIgnored: Bool = {
        var current = sigaction()
        guard sigaction(SIGPIPE, nil, &current) == 0 else { return false }
        #if canImport(Glibc)
        let isDefault = current.__sigaction_handler.sa_handler == nil && current.sa_flags & SA_SIGINFO == 0
        #else
        let isDefault = current.__sigaction_u.__sa_handler == nil && current.sa_flags & SA_SIGINFO == 0
        #endif
        guard isDefault else { return false }
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// The handler installed for `signal` right now, as an address (0 for `SIG_DFL`).
    static func currentHandlerAddress(_ signal: Int32) -> Int {
        var current = sigaction()
        sigaction(signal, nil, &current)
        #if canImport(Glibc)
        let handler = current.__sigaction_handler.sa_handler
        #else
        let handler = current.__sigaction_u.__sa_handler
        #endif
        return handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
    }
}
