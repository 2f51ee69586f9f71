/// The collector tasks of mapper, filter and group steps, under taskiq-pipelines' shared task names,
/// so a Swift worker runs the collectors Python sends and the reverse.
///
/// ``PipelineMiddleware`` registers them on the broker it is added to. They wait with the result
/// backend's own wait (notified on the in-memory and Redis backends), so `check_interval` is read
/// but not needed; like Python's, they wait for every item without a deadline of their own (a
/// `timeout` label bounds them).
enum PipelineTasks {
    /// taskiq-pipelines' mapper collector: `wait_tasks(task_ids, check_interval, skip_errors=True)`.
    static let waitTasks = "taskiq_pipelines.shared.wait_tasks"
    /// taskiq-pipelines' filter collector: `filter_tasks(task_ids, parent_task_id, check_interval, skip_errors=False)`.
    static let filterTasks = "taskiq_pipelines.shared.filter_tasks"
    /// The most subtask IDs one collector accepts.
    static let maximumItems = 100_000

    /// Registers both collectors on `broker`.
    static func register(on broker: any AsyncBroker) {
        broker.register(
            TaskDefinition(
                waitTasks, parameters: ["task_ids", "check_interval", "skip_errors"]
            ) { (ids: [String], _: Double?, skipErrors: Bool?) async throws -> [JSONValue] in
                var values: [JSONValue] = []
                for entry in try await results(of: ids) {
                    if let error = failure(entry, skip: skipErrors ?? true, kind: "MappingError", step: "mapping") { throw error }
                    if !entry.result.isErr { values.append(entry.result.returnValue ?? .null) }
                }
                return values
            })
        broker.register(
            TaskDefinition(
                filterTasks, parameters: ["task_ids", "parent_task_id", "check_interval", "skip_errors"]
            ) { (ids: [String], parentTaskID: String, _: Double?, skipErrors: Bool?) async throws -> [JSONValue] in
                let entries = try await results(of: ids)
                guard let backend = TaskContext.current?.broker.resultBackend else { return [] }
                let parent = try await backend.getResult(parentTaskID, withLogs: false)
                let items = parent.returnValue?.arrayValue ?? []
                var kept: [JSONValue] = []
                for (entry, item) in zip(entries, items) {
                    if let error = failure(entry, skip: skipErrors ?? false, kind: "FilterError", step: "filtering") { throw error }
                    if !entry.result.isErr, entry.result.returnValue?.isTruthy == true { kept.append(item) }
                }
                return kept
            })
    }

    /// One subtask's stored result.
    struct Entry: Sendable {
        let taskID: String
        let result: TaskiqResult<JSONValue>
    }

    /// Waits for every subtask's result, in order; the wait tells the runner, so a full worker
    /// starts the subtasks instead of deadlocking.
    private static func results(of ids: [String]) async throws -> [Entry] {
        guard ids.count <= maximumItems else {
            throw PipelineError(.invalidPipeline, "a collector got \(ids.count) task IDs, more than \(maximumItems)")
        }
        guard let backend = TaskContext.current?.broker.resultBackend else { return [] }
        var entries: [Entry] = []
        for id in ids {
            let result = try await SubtaskWait.around { try await backend.waitResult(id, timeout: nil, withLogs: false) }
            entries.append(Entry(taskID: id, result: result))
        }
        return entries
    }

    /// taskiq-pipelines' `MappingError`/`FilterError` for a failed subtask, unless errors are skipped.
    private static func failure(_ entry: Entry, skip: Bool, kind: String, step: String) -> TaskError? {
        guard entry.result.isErr, !skip else { return nil }
        let reason = entry.result.error?.description ?? "unknown error"
        return TaskError(
            name: kind, arguments: [.string("Task \(entry.taskID) returned an error. \(step) failed. Reason: \(reason)")],
            module: "taskiq_pipelines.exceptions", cause: entry.result.error)
    }
}

extension JSONValue {
    /// Python's truth value: `None`, `False`, zero, and empty strings, lists and objects are false.
    fileprivate var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .bigInteger: true
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }
}
