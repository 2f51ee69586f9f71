import Taskiq

/// The `scheduler` section: how `taskiq-run scheduler` (or a worker on an in-memory broker) sends
/// the schedules.
///
/// ```json
/// "scheduler": {"catch_up": "run_once", "refresh_interval": 30}
/// ```
/// `lease` and `state_store` name component types of the ``ComponentRegistry`` (kinds
/// ``ComponentKind/schedulerLease`` and ``ComponentKind/schedulerStateStore``), so a shared lease and
/// store for several scheduler processes can be registered and chosen from the file; without them,
/// the scheduler uses ``/Taskiq/LocalSchedulerLease`` and ``/Taskiq/InMemorySchedulerStateStore``.
public struct SchedulerSettings: Sendable {
    /// What happens to slots missed while no scheduler was sending.
    public var catchUp: CatchUpPolicy = .skip
    /// How often schedule sources are read again.
    public var refreshInterval: Duration = .seconds(60)
    /// The lease component, or `nil` for ``/Taskiq/LocalSchedulerLease``.
    public var lease: ComponentSettings?
    /// The state-store component, or `nil` for ``/Taskiq/InMemorySchedulerStateStore``.
    public var stateStore: ComponentSettings?

    /// Creates settings with the defaults.
    public init() {}

    /// The key of the lease component.
    static let leaseKey = "lease"
    /// The key of the state-store component.
    static let stateStoreKey = "state_store"

    /// The plain options of the section, each declared once; defaults come from ``init()``.
    enum Keys {
        private static let defaults = SchedulerSettings()

        static let catchUp = Option<CatchUpPolicy>.choice(
            "catch_up", [.skip, .runOnce], spelling: { $0.name }, default: defaults.catchUp,
            description: "Slots missed while no scheduler was sending: skip drops them, run_once sends one message for them.")
        static let refreshInterval = Option<Duration>.seconds(
            "refresh_interval", default: defaults.refreshInterval, range: 1...86_400,
            description: "Seconds between reads of the schedule sources, so added and removed schedules take effect.")
    }

    /// The plain settings the section accepts besides `lease` and `state_store`; validation and the schema both use them.
    static let options: [ComponentOption] = [Keys.catchUp.declaration, Keys.refreshInterval.declaration]

    /// Reads validated values (see ``options``).
    init(_ values: ComponentOptions, lease: ComponentSettings?, stateStore: ComponentSettings?) throws(ConfigError) {
        catchUp = try values[Keys.catchUp]
        refreshInterval = try values[Keys.refreshInterval]
        self.lease = lease
        self.stateStore = stateStore
    }

    /// The options of the ``/Taskiq/Scheduler``.
    public var schedulerOptions: SchedulerOptions {
        SchedulerOptions(catchUp: catchUp, refreshInterval: refreshInterval)
    }
}
