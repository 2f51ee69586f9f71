/// The kinds of component a configuration file assembles, each resolved by `type`.
public enum ComponentKind: String, Sendable, Hashable, CaseIterable {
    /// The `broker` section: the message transport.
    case broker
    /// The `result_backend` section: where results are stored.
    case resultBackend = "result_backend"
    /// An entry of the `middlewares` list.
    case middleware
    /// The `task_id_generator` section: how task IDs are made.
    case taskIDGenerator = "task_id_generator"
    /// `scheduler.lease`: which scheduler process may send (see ``/Taskiq/SchedulerLease``).
    case schedulerLease = "scheduler_lease"
    /// `scheduler.state_store`: where the last slot sent of each schedule is recorded (see ``/Taskiq/SchedulerStateStore``).
    case schedulerStateStore = "scheduler_state_store"
    /// The `dead_letters` section: where messages that cannot run are kept (see ``/Taskiq/DeadLetterQueue``).
    case deadLetterQueue = "dead_letters"

    /// The phrase used in error messages, such as `result backend`.
    var noun: String {
        switch self {
        case .broker: "broker"
        case .resultBackend: "result backend"
        case .middleware: "middleware"
        case .taskIDGenerator: "task-ID generator"
        case .schedulerLease: "scheduler lease"
        case .schedulerStateStore: "scheduler state store"
        case .deadLetterQueue: "dead-letter queue"
        }
    }
}
