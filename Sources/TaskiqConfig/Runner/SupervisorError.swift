/// An error that stops a ``Supervisor`` before it could run its workers.
public struct SupervisorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The stable name of the code.
        public let name: String
        /// A worker process could not be spawned when the supervisor started.
        public static let spawnFailed = Code(name: "spawn_failed")
        /// The options cannot work, such as fewer than one worker.
        public static let invalidOptions = Code(name: "invalid_options")
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// The worker executable involved.
    public var executable: String
    /// What happened, for people.
    public var message: String

    public var description: String { message }
}
