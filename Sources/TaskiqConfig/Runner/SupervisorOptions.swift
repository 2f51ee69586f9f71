/// How a ``Supervisor`` runs its worker processes.
public struct SupervisorOptions: Sendable, Hashable {
    /// Worker processes kept running; at least 1.
    public var workers: Int
    /// The delay before restarting a worker that died.
    public var backoff: SupervisorBackoff
    /// The exit status with which a worker reports that it retired itself after
    /// `max_tasks_per_child` tasks; such a worker is restarted at once, without backoff, and
    /// its failure count is cleared. `nil` (the default) turns recycling off: every exit
    /// outside a shutdown is a failure.
    public var recycleExitStatus: Int32?
    /// How long a shutdown waits for workers after forwarding the signal before killing the
    /// rest with `SIGKILL`. Give the workers' own drain and shutdown time plus a margin, so a
    /// worker can finish its orderly shutdown. Default 10 s.
    public var shutdownTimeout: Duration
    /// Variables set for the workers on top of the supervisor's own environment (such as where a
    /// worker reports its metrics port).
    public var environment: [String: String] = [:]

    /// Creates options.
    /// - Parameters:
    ///   - workers: Worker processes kept running; at least 1.
    ///   - backoff: The delay before restarting a worker that died.
    ///   - recycleExitStatus: The exit status of a worker that retired itself, or `nil`.
    ///   - shutdownTimeout: How long a shutdown waits before killing workers.
    ///   - environment: Variables set for the workers on top of the supervisor's own environment.
    public init(
        workers: Int, backoff: SupervisorBackoff = SupervisorBackoff(),
        recycleExitStatus: Int32? = nil, shutdownTimeout: Duration = .seconds(10),
        environment: [String: String] = [:]
    ) {
        self.environment = environment
        self.workers = workers
        self.backoff = backoff
        self.recycleExitStatus = recycleExitStatus
        self.shutdownTimeout = shutdownTimeout
    }
}
