/// How a ``Scheduler`` behaves.
public struct SchedulerOptions: Sendable {
    /// What happens to slots missed while no scheduler was sending (default ``CatchUpPolicy/skip``).
    public var catchUp: CatchUpPolicy
    /// How often schedule sources are read again, so added, changed and removed schedules take
    /// effect (default 60 seconds, taskiq's `--update-interval`).
    public var refreshInterval: Duration
    /// How often the lease is renewed while held, and retried while another scheduler holds it
    /// (default 10 seconds; keep it well under the lease's expiry). A lease that states its own
    /// ``SchedulerLease/renewalInterval`` (TaskiqRedis' `RedisSchedulerLease`) overrides it.
    public var leaseRenewalInterval: Duration

    /// Creates options.
    /// - Parameters:
    ///   - catchUp: What happens to missed slots.
    ///   - refreshInterval: How often sources are read again.
    ///   - leaseRenewalInterval: How often the lease is renewed or retried.
    public init(
        catchUp: CatchUpPolicy = .skip, refreshInterval: Duration = .seconds(60),
        leaseRenewalInterval: Duration = .seconds(10)
    ) {
        self.catchUp = catchUp
        self.refreshInterval = refreshInterval
        self.leaseRenewalInterval = leaseRenewalInterval
    }
}
