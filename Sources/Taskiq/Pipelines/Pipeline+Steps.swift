extension Pipeline where Result: Codable {
    /// Adds a step that runs `task` with this pipeline's result as its first argument
    /// (taskiq-pipelines' `call_next`).
    ///
    /// Compiles only when the task's first parameter is of the result's type. Further parameters
    /// are given here and sent as keyword arguments named by the task's parameter names, as
    /// taskiq-pipelines' `additional_kwargs`.
    /// - Parameters:
    ///   - task: The next task.
    ///   - extra: The task's other arguments.
    public func callNext<each Extra: Codable & Sendable, Next: Sendable>(
        _ task: TaskDefinition<Result, repeat each Extra, Next>, _ extra: repeat each Extra
    ) -> Pipeline<repeat each Argument, Next> {
        var values: [JSONValue] = []
        var error: PipelineError? = nil
        do {
            repeat values.append(try JSONValue(encoding: each extra))
        } catch let encodingError {
            error = PipelineError(.invalidPipeline, "cannot encode an argument of task '\(task.name)': \(encodingError)")
        }
        let (kwargs, namingError) = Self.keywords(values, names: Array(task.parameterNames.dropFirst()), task: task.name)
        let call = PipelineStepCall(taskName: task.name, labels: task.labels, parameter: .first, kwargs: kwargs)
        return appending(PipelineStep(kind: .sequential, calls: [call]), error: error ?? namingError, decode: task.decodeResult)
    }

    /// Adds a step that runs each task with this pipeline's result as its first argument, in
    /// parallel, and yields their results in the order given (a group; see ``PipelineStep``).
    ///
    /// The step before a group must run on a Swift worker: Python taskiq-pipelines does not know
    /// group steps.
    /// - Parameters:
    ///   - tasks: The members, each taking the result.
    ///   - skipErrors: Leave failed members out of the list instead of failing the pipeline.
    ///   - checkInterval: How often the collector checks for results (taskiq-pipelines' `check_interval`).
    public func group<Next: Sendable>(
        _ tasks: [TaskDefinition<Result, Next>], skipErrors: Bool = false, checkInterval: Double = 0.5
    ) -> Pipeline<repeat each Argument, [Next]> {
        let calls = tasks.map { PipelineStepCall(taskName: $0.name, labels: $0.labels, parameter: .first) }
        let error = tasks.isEmpty ? PipelineError(.invalidPipeline, "a group needs at least one task") : nil
        let decode: @Sendable (JSONValue) throws -> Next
        if let first = tasks.first {
            decode = first.decodeResult
        } else {
            decode = { _ in throw PipelineError(.invalidPipeline, "empty group") }
        }
        return appending(
            PipelineStep(kind: .group, calls: calls, skipErrors: skipErrors, checkInterval: checkInterval),
            error: error, decode: Self.listDecoder(decode))
    }
}

extension Pipeline {
    /// Adds a step that runs `task` after this one without passing the result
    /// (taskiq-pipelines' `call_after`).
    ///
    /// The arguments are sent as keyword arguments named by the task's parameter names, as
    /// taskiq-pipelines' `additional_kwargs`.
    /// - Parameters:
    ///   - task: The next task.
    ///   - arguments: Its arguments.
    public func callAfter<each Other: Codable & Sendable, Next: Sendable>(
        _ task: TaskDefinition<repeat each Other, Next>, _ arguments: repeat each Other
    ) -> Pipeline<repeat each Argument, Next> {
        var values: [JSONValue] = []
        var error: PipelineError? = nil
        do {
            repeat values.append(try JSONValue(encoding: each arguments))
        } catch let encodingError {
            error = PipelineError(.invalidPipeline, "cannot encode an argument of task '\(task.name)': \(encodingError)")
        }
        let (kwargs, namingError) = Self.keywords(values, names: task.parameterNames, task: task.name)
        let call = PipelineStepCall(taskName: task.name, labels: task.labels, parameter: .ignored, kwargs: kwargs)
        return appending(PipelineStep(kind: .sequential, calls: [call]), error: error ?? namingError, decode: task.decodeResult)
    }

    /// Adds a step that runs `task` on every element of this pipeline's list result, in parallel,
    /// and yields their results in order (taskiq-pipelines' `map`).
    /// - Parameters:
    ///   - task: The task run on each element.
    ///   - skipErrors: Leave failed elements out instead of failing the pipeline.
    ///   - checkInterval: How often the collector checks for results, in seconds.
    public func map<Element: Codable & Sendable, Next: Sendable>(
        _ task: TaskDefinition<Element, Next>, skipErrors: Bool = false, checkInterval: Double = 0.5
    ) -> Pipeline<repeat each Argument, [Next]> where Result == [Element] {
        let call = PipelineStepCall(taskName: task.name, labels: task.labels, parameter: .first)
        return appending(
            PipelineStep(kind: .mapper, calls: [call], skipErrors: skipErrors, checkInterval: checkInterval),
            decode: Self.listDecoder(task.decodeResult))
    }

    /// Adds a step that runs `task` on every element of this pipeline's list result, in parallel,
    /// and keeps the elements for which it returned `true` (taskiq-pipelines' `filter`).
    /// - Parameters:
    ///   - task: The predicate run on each element.
    ///   - skipErrors: Drop elements whose predicate failed instead of failing the pipeline.
    ///   - checkInterval: How often the collector checks for results, in seconds.
    public func filter<Element: Codable & Sendable>(
        _ task: TaskDefinition<Element, Bool>, skipErrors: Bool = false, checkInterval: Double = 0.5
    ) -> Pipeline<repeat each Argument, Result> where Result == [Element] {
        let call = PipelineStepCall(taskName: task.name, labels: task.labels, parameter: .first)
        return appending(
            PipelineStep(kind: .filter, calls: [call], skipErrors: skipErrors, checkInterval: checkInterval),
            decode: decodeResult)
    }

    /// Decodes a list by decoding each element.
    static func listDecoder<Element>(_ element: @escaping @Sendable (JSONValue) throws -> Element)
        -> @Sendable (JSONValue) throws -> [Element]
    {
        { value in
            guard let items = value.arrayValue else {
                throw PipelineError(.invalidPipeline, "the pipeline's result is \(value.typeName), expected a list")
            }
            return try items.map(element)
        }
    }

    /// Names fixed arguments by the task's parameter names: taskiq-pipelines sends keyword arguments only.
    static func keywords(_ values: [JSONValue], names: [String], task: String) -> (JSONObject, PipelineError?) {
        guard values.count <= names.count else {
            return (
                [:],
                PipelineError(
                    .invalidPipeline,
                    """
                    task '\(task)' is given \(values.count) fixed argument(s) but declares \(names.count) parameter name(s) for them; \
                    pipelines send fixed arguments as keyword arguments, so declare the task's parameters
                    """)
            )
        }
        var kwargs = JSONObject()
        for (name, value) in zip(names, values) { kwargs[name] = value }
        return (kwargs, nil)
    }
}
