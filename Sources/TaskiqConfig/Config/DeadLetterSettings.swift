import Taskiq

/// The `dead_letters` section: the dead-letter queue every broker writes to, and which failed
/// tasks go there.
///
/// ```json
/// "dead_letters": {"type": "redis", "url": "${REDIS_URL}", "stream": "taskiq:dead", "failed_tasks": "exhausted"}
/// ```
/// The queue is a component of kind ``ComponentKind/deadLetterQueue``; `failed_tasks` is read
/// here, for every type (see ``/Taskiq/DeadLetterPolicy``).
public struct DeadLetterSettings: Sendable {
    /// The queue component.
    public var queue: ComponentSettings
    /// Which failed tasks are dead-lettered.
    public var failedTasks: DeadLetterPolicy

    /// `failed_tasks`, accepted by every dead-letter-queue type.
    static let failedTasks = Option<DeadLetterPolicy>.choice(
        "failed_tasks", DeadLetterPolicy.allCases, spelling: { $0.name }, default: .default,
        description: """
            Which failed tasks are dead-lettered: exhausted (those a retry middleware gave up on: attempts used \
            up or an error type it does not retry), all (every failure not being retried) or none.
            """)

    /// The key of the policy.
    static var failedTasksKey: String { failedTasks.name }

    /// The declaration of `failed_tasks`, for validation and the schema.
    static var failedTasksOption: ComponentOption { failedTasks.declaration }
}
