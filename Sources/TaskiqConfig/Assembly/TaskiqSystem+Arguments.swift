import Taskiq

extension TaskiqSystem {
    /// Checks arguments against a loaded task's compiled parameters as a worker of this
    /// configuration would bind them (arity, keyword names, types, `worker.cast_types`), so a wrong
    /// argument fails before it is sent.
    /// - Parameters:
    ///   - taskName: A loaded task's name; an unknown task is not checked (``kick(_:args:kwargs:labels:taskID:)`` reports it).
    ///   - args: Positional arguments.
    ///   - kwargs: Keyword arguments.
    ///   - path: The JSON path of the arguments' owner, such as `schedules[1]`; empty for `kick`'s
    ///     command line, whose errors name the argument (`args[0]`, `kwargs.b`).
    /// - Throws: ``ConfigError`` with code `.invalidArguments` naming the argument's path.
    public func checkArguments(
        _ taskName: String, args: [JSONValue], kwargs: JSONObject,
        path: String = ""
    ) throws(ConfigError) {
        guard let task = broker(forTask: taskName)?.components.registry[taskName],
            let problem = task.checkArguments(args, kwargs, configuration.worker.castTypes)
        else { return }
        let file = path.isEmpty ? "kick" : configuration.file
        throw ConfigError(
            .invalidArguments, file: file, path: problem.path(under: path),
            "\(problem.message); the task is \(task.signature)")
    }

    /// Checks every file schedule's `args` and `kwargs` against its task, at assembly, so that
    /// `check`, `worker` and `scheduler` refuse a schedule that would fail in the worker at every fire.
    func validateScheduleArguments() throws(ConfigError) {
        for configured in configuration.schedules {
            let schedule = configured.schedule
            try checkArguments(schedule.taskName, args: schedule.args, kwargs: schedule.kwargs, path: configured.path)
        }
    }
}
