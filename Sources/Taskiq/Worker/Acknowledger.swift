import Synchronization

/// Acknowledges one delivery at most once, logging (not throwing) a failure.
final class Acknowledger: Sendable {
    private let ack: (@Sendable () async throws -> Void)?
    private let done = Atomic<Bool>(false)

    init(_ ack: (@Sendable () async throws -> Void)?) { self.ack = ack }

    /// The acknowledger of deliveries that cannot be acknowledged (in-memory): it holds no state
    /// that changes, so one instance serves every such delivery instead of one allocation each.
    static let none = Acknowledger(nil)

    /// Whether the delivery can be acknowledged.
    var isAckable: Bool { ack != nil }

    /// Acknowledges unless already done; returns the error of a failed ack.
    @discardableResult
    func callAsFunction() async -> (any Error)? {
        guard let ack, !done.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        do {
            try await ack()
            return nil
        } catch {
            return error
        }
    }
}
