import Taskiq

/// An error that stops a ``Supervisor`` before it could run its workers.
public struct SupervisorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public typealias Code = ErrorCode<SupervisorError>

    /// The kind of failure.
    public var code: Code
    /// The worker executable involved.
    public var executable: String
    /// What happened, for people.
    public var message: String

    public var description: String { message }
}

extension ErrorCode where Domain == SupervisorError {
    /// A worker process could not be spawned when the supervisor started.
    public static var spawnFailed: Self { "spawn_failed" }
    /// The options cannot work, such as fewer than one worker.
    public static var invalidOptions: Self { "invalid_options" }
}
