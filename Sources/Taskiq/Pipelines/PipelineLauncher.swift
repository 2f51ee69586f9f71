/// Sends the first step of a pipeline given as steps (typed pipelines and `taskiq-run kick` use it).
package enum PipelineLauncher {
    /// Assigns a task ID to every step and sends the first step, as taskiq-pipelines' `kiq` does.
    /// - Parameters:
    ///   - steps: The steps; the first must be sequential or a group.
    ///   - args: The first task's positional arguments (ignored when a group starts the pipeline).
    ///   - kwargs: The first task's keyword arguments.
    ///   - broker: Where to send.
    /// - Returns: The last step's task ID, under which the pipeline's result is stored.
    /// - Throws: ``PipelineError`` with code `.emptyPipeline`, or the broker's error.
    package static func start(
        _ steps: [PipelineStep], args: [JSONValue], kwargs: JSONObject,
        broker: any AsyncBroker
    ) async throws -> String {
        guard let firstStep = steps.first else {
            throw PipelineError(.emptyPipeline, "the pipeline has no steps")
        }
        let settings = broker.components.settings
        var steps = steps
        for index in steps.indices { steps[index].taskID = settings.idGenerator() }
        let data = PipelineLabels.encode(steps)
        switch firstStep.kind {
        case .sequential:
            guard let call = firstStep.calls.first else {
                throw PipelineError(.emptyPipeline, "the first step has no task")
            }
            var message = TaskiqMessage(
                taskID: steps[0].taskID, taskName: call.taskName, labels: call.labels,
                args: args, kwargs: kwargs)
            PipelineLabels.apply(to: &message, step: 0, data: data, dataFirst: false)
            try await broker.send(message, settings: settings)
        case .group:
            try await steps[0].act(broker: broker, index: 0, parentTaskID: "", data: data, input: nil)
        case .mapper, .filter:
            throw PipelineError(.emptyPipeline, "the first step is a \(firstStep.kind.rawValue); expected a task (sequential) or a group")
        }
        return steps[steps.count - 1].taskID
    }
}
