import Taskiq

extension NATSClientError {
    /// Runs `operation`, and again after a growing pause (50 ms to 1 s) while it fails because
    /// NATS is briefly unavailable (``isTransient``), until `deadline`; `nil` for as long as that
    /// lasts. Then the last failure is thrown; any other error at once. Shared by the kick, the
    /// JetStream startup and the key-value result backend.
    /// - Parameter firstFailure: Told of the first transient failure (to log it once).
    static func retryingTransient<Value: Sendable>(
        until deadline: ContinuousClock.Instant?, firstFailure: (NATSClientError) -> Void = { _ in },
        _ operation: () async throws -> Value
    ) async throws -> Value {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let error as NATSClientError where error.isTransient {
                attempt += 1
                let pause = Backoff.exponential(initial: .milliseconds(50), maximum: .seconds(1)).delay(attempt: attempt)
                if let deadline, ContinuousClock.now.advanced(by: pause) >= deadline { throw error }
                if attempt == 1 { firstFailure(error) }
                try await Task.sleep(for: pause)
            }
        }
    }
}
