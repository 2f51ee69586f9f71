import Foundation

/// Runs a blocking call on a thread of its own, so that it never holds one of the few threads
/// every test's tasks share (two on a 2-core machine): a blocked pool thread stalls every other
/// test in the process, and their timing-sensitive peers (heartbeats, acks) with it.
package func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
