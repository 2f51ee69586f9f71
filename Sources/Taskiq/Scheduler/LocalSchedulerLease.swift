/// A ``SchedulerLease`` that is always granted, for a single scheduler process.
public struct LocalSchedulerLease: SchedulerLease {
    /// Creates the lease.
    public init() {}
    /// Always succeeds.
    public func acquire() async throws -> Bool { true }
    /// Always succeeds.
    public func renew() async throws -> Bool { true }
    /// Does nothing.
    public func release() async throws {}
}
