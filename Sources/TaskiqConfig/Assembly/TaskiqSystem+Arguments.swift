import Taskiq

extension TaskiqSystem {
    /// Checks arguments against a loaded task's compiled parameters as a worker of this
    /// configuration would bind them (arity, keyword names, types, `worker.cast_types`), and the
    /// message they make against `worker.limits`, which every worker of this configuration
    /// applies before it runs anything, so that a message every worker would reject (and leave
    /// its caller waiting) fails before it is sent.
    /// - Parameters:
    ///   - taskName: A loaded task's name; an unknown task is not checked (``kick(_:args:kwargs:labels:taskID:)`` reports it).
    ///   - args: Positional arguments.
    ///   - kwargs: Keyword arguments.
    ///   - labels: Labels sent with them, over the task's own.
    ///   - path: The JSON path of the arguments' owner, such as `schedules[1]`; empty for `kick`'s
    ///     command line, whose errors name the argument (`args[0]`, `kwargs.b`).
    /// - Throws: ``ConfigError`` with code `.invalidArguments` naming the argument's path.
    public func checkArguments(
        _ taskName: String, args: [JSONValue], kwargs: JSONObject, labels: JSONObject = [:],
        path: String = ""
    ) throws(ConfigError) {
        guard let broker = broker(forTask: taskName), let task = broker.components.registry[taskName] else { return }
        let file = path.isEmpty ? "kick" : configuration.file
        if let problem = task.checkArguments(args, kwargs, configuration.worker.castTypes) {
            throw ConfigError(
                .invalidArguments, file: file, path: problem.path(under: path),
                "\(problem.message); the task is \(task.signature)")
        }
        var merged = task.labels
        for (key, value) in labels { merged[key] = value }
        let message = TaskiqMessage(
            // A task ID as long as a generated one, so the size checked is the size sent.
            taskID: String(repeating: "0", count: 32), taskName: taskName, labels: merged, args: args, kwargs: kwargs)
        if let (at, error) = limitProblem(message, formatter: broker.components.settings.formatter) {
            throw ConfigError(
                .invalidArguments, file: file, path: (path.isEmpty ? "" : "\(path).") + at,
                "\(error.message) (worker.limits): every worker of this configuration would reject the message")
        }
    }

    /// The first `worker.limits` cap that `message` exceeds, with the path of what exceeds it
    /// (`args[0]`, `kwargs.b`, `labels.x` for the depth; `args` or `labels` for counts and sizes).
    private func limitProblem(_ message: TaskiqMessage, formatter: any TaskiqFormatter) -> (String, MessageLimitError)? {
        let limits = configuration.worker.limits
        // Each value on its own, so the error names the one nested too deep.
        let values =
            message.args.enumerated().map { ("args[\($0.offset)]", [$0.element], JSONObject(), JSONObject()) }
            + message.kwargs.map { ("kwargs.\($0.key)", [JSONValue](), [$0.key: $0.value], JSONObject()) }
            + message.labels.map { ("labels.\($0.key)", [JSONValue](), JSONObject(), [$0.key: $0.value]) }
        for (at, args, kwargs, labels) in values {
            do {
                try limits.checkDepth(TaskiqMessage(taskID: "", taskName: message.taskName, labels: labels, args: args, kwargs: kwargs))
            } catch { return (at, error) }
        }
        do { try limits.checkContents(message) } catch { return (error.limit == .arguments ? "args" : "labels", error) }
        guard let bytes = try? formatter.dumps(message).message else { return nil }
        do { try limits.checkSize(bytes.count) } catch {
            // Named after whichever makes up most of the message: the labels or the arguments.
            var bare = message
            bare.labels = [:]
            let withoutLabels = (try? formatter.dumps(bare).message.count) ?? 0
            return (bytes.count - withoutLabels > withoutLabels ? "labels" : "args", error)
        }
        return nil
    }

    /// Checks every file schedule's `args`, `kwargs` and `labels` against its task and
    /// `worker.limits`, at assembly, so that `check`, `worker` and `scheduler` refuse a schedule
    /// that would fail in the worker at every fire.
    func validateScheduleArguments() throws(ConfigError) {
        for configured in configuration.schedules {
            let schedule = configured.schedule
            try checkArguments(
                schedule.taskName, args: schedule.args, kwargs: schedule.kwargs, labels: schedule.labels, path: configured.path)
        }
    }
}
