extension PipelineStep {
    /// The `DumpedStep` JSON, with keys in taskiq-pipelines' order: `step_type`, `step_data`
    /// (`task_name`, `labels`, `param_name`, `additional_kwargs`, then `skip_errors` and
    /// `check_interval` for mapper and filter), `task_id`. A group's `step_data` holds `tasks`
    /// (each a sequential step's data plus `args`), `skip_errors` and `check_interval`.
    public var wireValue: JSONValue {
        var data = JSONObject()
        switch kind {
        case .group:
            data["tasks"] = .array(calls.map { .object(Self.callData($0, withArgs: true)) })
            data["skip_errors"] = .bool(skipErrors)
            data["check_interval"] = .double(checkInterval)
        case .sequential, .mapper, .filter:
            let call = calls.first ?? PipelineStepCall(taskName: "")
            data = Self.callData(call, withArgs: false)
            if kind != .sequential {
                data["skip_errors"] = .bool(skipErrors)
                data["check_interval"] = .double(checkInterval)
            }
        }
        return .object(["step_type": .string(kind.rawValue), "step_data": .object(data), "task_id": .string(taskID)])
    }

    private static func callData(_ call: PipelineStepCall, withArgs: Bool) -> JSONObject {
        // taskiq-pipelines declares labels as Dict[str, str]: send them as taskiq sends labels.
        var labels = JSONObject()
        for (key, value) in call.labels { labels[key] = .string(LabelType.encode(value).0) }
        var data: JSONObject = [
            "task_name": .string(call.taskName), "labels": .object(labels),
            "param_name": call.parameter.wireValue,
        ]
        if withArgs { data["args"] = .array(call.args) }
        data["additional_kwargs"] = .object(call.kwargs)
        return data
    }

    /// Reads a `DumpedStep`.
    /// - Throws: ``PipelineError`` with code `.invalidPipeline` naming the field at fault.
    public init(wireValue: JSONValue) throws(PipelineError) {
        guard let object = wireValue.objectValue else {
            throw PipelineError(.invalidPipeline, "a step is \(wireValue.typeName), expected an object")
        }
        guard let type = object["step_type"]?.stringValue else {
            throw PipelineError(.invalidPipeline, "a step has no string 'step_type'")
        }
        guard let kind = Kind(rawValue: type) else {
            throw PipelineError(.invalidPipeline, "unknown step type '\(type)'; expected sequential, mapper, filter or group")
        }
        guard let data = object["step_data"]?.objectValue else {
            throw PipelineError(.invalidPipeline, "step '\(type)' has no object 'step_data'")
        }
        let taskID = object["task_id"]?.stringValue ?? ""
        var calls: [PipelineStepCall] = []
        if kind == .group {
            guard let tasks = data["tasks"]?.arrayValue, !tasks.isEmpty else {
                throw PipelineError(.invalidPipeline, "group step \(taskID) has no non-empty 'tasks' array")
            }
            for task in tasks {
                guard let member = task.objectValue else {
                    throw PipelineError(.invalidPipeline, "a member of group step \(taskID) is \(task.typeName), expected an object")
                }
                calls.append(try Self.call(member, step: taskID))
            }
        } else {
            calls = [try Self.call(data, step: taskID)]
        }
        var skipErrors = false
        var checkInterval = 0.5
        if kind != .sequential {
            skipErrors = data["skip_errors"]?.boolValue ?? false
            if let interval = data["check_interval"]?.doubleValue {
                guard interval.isFinite, interval >= 0, interval <= 3600 else {
                    throw PipelineError(.invalidPipeline, "step \(taskID) has check_interval \(interval); expected 0 to 3600 seconds")
                }
                checkInterval = interval
            }
        }
        self.init(kind: kind, calls: calls, skipErrors: skipErrors, checkInterval: checkInterval, taskID: taskID)
    }

    private static func call(_ data: JSONObject, step: String) throws(PipelineError) -> PipelineStepCall {
        guard let name = data["task_name"]?.stringValue, !name.isEmpty else {
            throw PipelineError(.invalidPipeline, "step \(step) has no 'task_name'")
        }
        guard let parameter = PipelineParameter(wireValue: data["param_name"]) else {
            throw PipelineError(
                .invalidPipeline, "step \(step) has param_name \(data["param_name"]?.pythonRepr ?? "?"); expected null, -1 or a name")
        }
        return PipelineStepCall(
            taskName: name, labels: data["labels"]?.objectValue ?? [:], parameter: parameter,
            args: data["args"]?.arrayValue ?? [],
            kwargs: data["additional_kwargs"]?.objectValue ?? [:])
    }
}
