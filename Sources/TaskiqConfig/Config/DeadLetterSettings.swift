import Taskiq

/// The `dead_letters` section: the dead-letter queue every broker writes to, and which failed
/// tasks go there.
///
/// ```json
/// "dead_letters": {"type": "redis", "url": "${REDIS_URL}", "stream": "taskiq:dead", "failed_tasks": "exhausted"}
/// ```
/// The queue is a component of kind ``ComponentKind/deadLetterQueue``; `failed_tasks` is read
/// here, for every type (see ``DeadLetterPolicy``).
public struct DeadLetterSettings: Sendable {
    /// The queue component.
    public var queue: ComponentSettings
    /// Which failed tasks are dead-lettered.
    public var failedTasks: DeadLetterPolicy

    /// The key of the policy, accepted by every dead-letter-queue type.
    static let failedTasksKey = "failed_tasks"

    /// The declaration of `failed_tasks`, for validation and the schema.
    static let failedTasksOption = ComponentOption.choice(
        failedTasksKey, DeadLetterPolicy.allCases.map(\.name), default: DeadLetterPolicy.exhausted.name,
        description: """
            Which failed tasks are dead-lettered: exhausted (those a retry middleware gave up on: attempts used \
            up or an error type it does not retry), all (every failure not being retried) or none.
            """)
}
