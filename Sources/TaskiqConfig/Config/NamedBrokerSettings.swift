import Taskiq

/// One entry of the top-level `brokers` object: a further broker that task modules can be routed to.
///
/// ```json
/// "brokers": {"fast": {"type": "zeromq", "pattern": "push_pull", "result_backend": {"type": "dummy"}}}
/// ```
/// The entry is a broker component like `broker`, validated against the same registry. It gets
/// the top-level result backend, task-ID generator and middlewares, each built anew for it, unless
/// it names its own `result_backend` (a key every named broker accepts besides its type's options).
public struct NamedBrokerSettings: Sendable {
    /// The name routes and `taskiq-run worker --broker` use, such as `fast`.
    public let name: String
    /// The broker itself.
    public let broker: ComponentSettings
    /// The broker's own result backend, replacing the top-level `result_backend`; `nil` to use that.
    public let resultBackend: ComponentSettings?
}
