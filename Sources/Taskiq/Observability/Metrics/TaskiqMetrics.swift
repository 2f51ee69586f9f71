/// The process-wide series that parts of taskiq report to as things happen: reconnects of broker
/// connections, scheduler lease renewals, retries and cancellations.
///
/// Each is one atomic increment on ``MetricsRegistry/shared``, whether or not a metrics endpoint
/// serves them.
public enum TaskiqMetrics {
    /// `taskiq_broker_reconnects_total{broker}`: connections re-established after a loss.
    public static let brokerReconnects = MetricsRegistry.shared.counter(
        "taskiq_broker_reconnects", help: "Broker connections re-established after a loss", labels: ["broker"])
    /// `taskiq_scheduler_lease_renewals_total`: renewals of the scheduler lease that succeeded.
    public static let leaseRenewals = MetricsRegistry.shared.counter(
        "taskiq_scheduler_lease_renewals", help: "Scheduler lease renewals that kept the lease")
    /// `taskiq_retries_total{task_name}`: failed tasks sent again by a retry middleware.
    public static let retries = MetricsRegistry.shared.counter(
        "taskiq_retries", help: "Failed tasks sent again by a retry middleware", labels: ["task_name"])
    /// `taskiq_cancellations_total`: cancellation requests received by this process.
    public static let cancellations = MetricsRegistry.shared.counter(
        "taskiq_cancellations", help: "Task cancellation requests received by this process")

    /// The one series of ``leaseRenewals``.
    public static let leaseRenewalCounter = leaseRenewals.labels()
    /// The one series of ``cancellations``.
    public static let cancellationCounter = cancellations.labels()

    /// Registers every family of this type in ``MetricsRegistry/shared``, so each shows (at 0)
    /// from the first scrape on.
    public static func register() {
        _ = (brokerReconnects, retries, leaseRenewalCounter, cancellationCounter)
    }

    /// Counts one reconnect of a connection of `broker` (a broker type such as `redis` or `nats`).
    public static func reconnected(_ broker: String) { brokerReconnects.labels(broker).increment() }
}
