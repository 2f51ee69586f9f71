/// Schedules declared on the tasks themselves, in taskiq's `schedule` label.
///
/// ```swift
/// let heartbeat = broker.task("examples.heartbeat", labels: [
///     "schedule": [["cron": "*/5 * * * *", "cron_offset": "Europe/Berlin", "args": [1]]],
///     "priority": 2,
/// ]) { (n: Int) async throws in ... }
/// let source = LabelScheduleSource(broker: broker)
/// ```
///
/// Each entry of the label is a schedule in taskiq's form (see ``Schedule/init(taskiqJSON:taskName:)``)
/// without the task name. As in taskiq: an entry with none of `cron`, `interval` and `time` is
/// skipped; the task's own labels, minus `schedule`, are merged **over** the entry's `labels`, so
/// task-level values win. Unlike taskiq, an entry without `schedule_id` gets a stable ID derived from
/// its content (not a random one per start), and an invalid entry is logged and skipped at each read
/// (use ``validate()`` to fail at start-up instead).
public struct LabelScheduleSource: ScheduleSource {
    /// The broker whose registered tasks are read.
    public let broker: any AsyncBroker
    private let logger: Logger

    /// Creates a source over the tasks registered with `broker`.
    /// - Parameters:
    ///   - broker: The broker whose tasks' labels are read; tasks registered later are seen at the next read.
    ///   - logger: Where invalid entries are reported.
    public init(broker: any AsyncBroker, logger: Logger = Logger(label: "taskiq.scheduler")) {
        self.broker = broker
        self.logger = logger
    }

    /// The schedules of every registered task, skipping invalid entries with an error log.
    public func schedules() async throws -> [Schedule] {
        var schedules: [Schedule] = []
        for (task, result) in read() {
            switch result {
            case .success(let schedule): schedules.append(schedule)
            case .failure(let error):
                logger.error("Skipping an invalid schedule of task '\(task)': \(error)", metadata: ["task_name": task])
            }
        }
        return schedules
    }

    /// Checks every task's `schedule` label.
    /// - Throws: The first ``ScheduleError``, its message naming the task and the entry.
    public func validate() throws(ScheduleError) {
        for (task, result) in read() {
            if case .failure(let error) = result {
                var error = error
                error.message = "task '\(task)': \(error.message)"
                throw error
            }
        }
    }

    private func read() -> [(String, Result<Schedule, ScheduleError>)] {
        var results: [(String, Result<Schedule, ScheduleError>)] = []
        for task in broker.components.registry.all {
            guard let label = task.labels["schedule"] else { continue }
            let entries = label.arrayValue ?? [label]
            var taskLabels = task.labels
            taskLabels["schedule"] = nil
            for (index, entry) in entries.enumerated() {
                guard let object = entry.objectValue else {
                    results.append(
                        (
                            task.name,
                            .failure(
                                ScheduleError(
                                    .invalidValue, key: "schedule[\(index)]", "expected an object, found \(entry.typeName)"))
                        ))
                    continue
                }
                guard ["cron", "interval", "time"].contains(where: { object[$0].map { !$0.isNull } ?? false }) else {
                    continue
                }
                var merged = object["labels"]?.objectValue ?? [:]
                for (key, value) in taskLabels { merged[key] = value }
                var withLabels = object
                withLabels["labels"] = .object(merged)
                do {
                    results.append((task.name, .success(try Schedule(taskiqJSON: withLabels, taskName: task.name))))
                } catch {
                    var error = error
                    error.key = "schedule[\(index)]" + (error.key.map { ".\($0)" } ?? "")
                    results.append((task.name, .failure(error)))
                }
            }
        }
        return results
    }
}
