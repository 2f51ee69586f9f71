/// `eventually` ran out of time: `what` never came true.
package struct NeverHappened: Error, CustomStringConvertible {
    package var what: String
    package var seconds: Double
    package var description: String { "\(what): not true after \(seconds)s" }
}

/// Polls `condition` until it holds, failing with ``NeverHappened`` after `seconds`.
///
/// Only for state that raises no event the test could await: a server's counters, a file, a
/// child process's effect, a counter another thread bumps. The interval paces the poll against the
/// deadline; it is never a synchronisation sleep.
package func eventually(
    _ what: String, seconds: Double = 30, every interval: Duration = .milliseconds(10),
    _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    do {
        try await withTimeout(seconds: seconds) {
            while try await !condition() { try await Task.sleep(for: interval) }
        }
    } catch is TimedOut {
        throw NeverHappened(what: what, seconds: seconds)
    }
}
