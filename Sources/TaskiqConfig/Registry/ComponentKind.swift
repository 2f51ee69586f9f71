/// The four kinds of component a configuration file assembles, each resolved by `type`.
public enum ComponentKind: String, Sendable, Hashable, CaseIterable {
    /// The `broker` section: the message transport.
    case broker
    /// The `result_backend` section: where results are stored.
    case resultBackend = "result_backend"
    /// An entry of the `middlewares` list.
    case middleware
    /// The `task_id_generator` section: how task IDs are made.
    case taskIDGenerator = "task_id_generator"

    /// The phrase used in error messages, such as `result backend`.
    var noun: String {
        switch self {
        case .broker: "broker"
        case .resultBackend: "result backend"
        case .middleware: "middleware"
        case .taskIDGenerator: "task-ID generator"
        }
    }
}
