import Taskiq

extension KickCommand {
    /// The step kinds `--then` accepts, by prefix: none is `call_next`.
    static let pipelineStepHelp = """
        A pipeline step after TASK, in order (repeatable): NAME runs NAME on the previous result \
        (call_next), after:NAME runs it without the result (call_after), map:NAME runs it on every \
        item of a list result, filter:NAME keeps the items for which it returns true, \
        group:NAME,NAME,... runs each on the result in parallel and yields their results as a list. \
        Needs the 'pipelines' middleware on the workers.
        """

    /// Reads the `--then` values into steps whose calls name the tasks (labels are added later).
    static func pipelineSteps(_ specs: [String]) throws(CommandLineError) -> [PipelineStep] {
        var steps: [PipelineStep] = []
        for spec in specs {
            var kind = PipelineStep.Kind.sequential
            var parameter = PipelineParameter.first
            var names = spec
            for (prefix, stepKind) in [
                ("after:", PipelineStep.Kind.sequential), ("map:", .mapper), ("filter:", .filter), ("group:", .group),
            ]
            where spec.hasPrefix(prefix) {
                kind = stepKind
                if prefix == "after:" { parameter = .ignored }
                names = String(spec.dropFirst(prefix.count))
            }
            let tasks = kind == .group ? names.split(separator: ",").map(String.init) : [names]
            guard !tasks.isEmpty, tasks.allSatisfy({ !$0.isEmpty }) else {
                throw CommandLineError(
                    code: .invalidValue, command: configuration.name, argument: spec,
                    message: "'--then' expects NAME, after:NAME, map:NAME, filter:NAME or group:NAME,NAME; found '\(spec)'")
            }
            steps.append(PipelineStep(kind: kind, calls: tasks.map { PipelineStepCall(taskName: $0, parameter: parameter) }))
        }
        return steps
    }

    /// Sends TASK as the first step of a pipeline whose other steps are the `--then` values.
    /// - Returns: The last step's task ID, where the pipeline's result is stored, and its task name.
    /// - Throws: ``ConfigError`` with code `.unknownTask` for a step naming no loaded task.
    func kickPipeline(
        _ system: TaskiqSystem, args: [JSONValue], kwargs: JSONObject,
        labels: JSONObject
    ) async throws -> (taskID: String, lastTask: String) {
        let first = PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: task, labels: labels)])
        var steps = [first] + (try Self.pipelineSteps(then))
        for index in steps.indices {
            for call in steps[index].calls.indices {
                let name = steps[index].calls[call].taskName
                guard let known = system.broker(forTask: name)?.components.registry[name] else {
                    throw ConfigError(
                        .unknownTask, file: system.configuration.file, path: "tasks",
                        "pipeline step \(index) names unknown task '\(name)'; loaded tasks: \(system.tasks.map(\.name).joined(separator: ", "))"
                    )
                }
                var merged = known.labels
                for (key, value) in steps[index].calls[call].labels { merged[key] = value }
                steps[index].calls[call].labels = merged
            }
        }
        guard let broker = system.broker(forTask: task) else {
            throw ConfigError(.unknownTask, file: system.configuration.file, path: "tasks", "unknown task '\(task)'")
        }
        let last = steps[steps.count - 1].calls.first?.taskName ?? task
        let taskID = try await PipelineLauncher.start(steps, args: args, kwargs: kwargs, broker: broker)
        return (taskID, last)
    }
}
