extension PipelineStep {
    /// Sends what this step runs on `input`, the previous step's return value (taskiq-pipelines' `act`).
    ///
    /// A sequential step sends its task under the step's task ID with the pipeline labels. A mapper,
    /// filter or group step sends one task per item (or member) without pipeline labels, then the
    /// collector task (`taskiq_pipelines.shared.wait_tasks` or `filter_tasks`) under the step's task
    /// ID with the pipeline labels, so the pipeline goes on when the collector's result is stored.
    /// - Parameters:
    ///   - broker: Where to send.
    ///   - index: This step's index.
    ///   - parentTaskID: The task ID of the step before, whose result a filter reads back.
    ///   - data: The `_pipe_data` text to pass on.
    ///   - input: The previous step's return value; `nil` when the step starts a pipeline.
    /// - Throws: ``PipelineError`` with code `.notIterable` when a mapper or filter gets no list,
    ///   or the broker's error.
    func act(broker: any AsyncBroker, index: Int, parentTaskID: String, data: String, input: JSONValue?) async throws {
        let settings = broker.components.settings
        switch kind {
        case .sequential:
            let call = calls.first ?? PipelineStepCall(taskName: "")
            var message = call.message(taskID: taskID, input: input)
            PipelineLabels.apply(to: &message, step: index, data: data, dataFirst: true)
            try await broker.send(message, settings: settings)
        case .mapper, .filter:
            guard let items = input?.arrayValue else {
                throw PipelineError(
                    .notIterable,
                    "step \(index) (\(kind.rawValue)) got \(input?.typeName ?? "nothing"), expected a list: the result of the previous task is not iterable"
                )
            }
            guard items.count <= PipelineTasks.maximumItems else {
                throw PipelineError(
                    .invalidPipeline, "step \(index) (\(kind.rawValue)) got \(items.count) items, more than \(PipelineTasks.maximumItems)")
            }
            let call = calls.first ?? PipelineStepCall(taskName: "")
            var ids: [JSONValue] = []
            for item in items {
                let message = call.message(taskID: settings.idGenerator(), input: item)
                try await broker.send(message, settings: settings)
                ids.append(.string(message.taskID))
            }
            let isFilter = kind == .filter
            try await sendCollector(
                broker: broker, settings: settings, index: index, data: data,
                args: isFilter ? [.array(ids), .string(parentTaskID)] : [.array(ids)],
                name: isFilter ? PipelineTasks.filterTasks : PipelineTasks.waitTasks)
        case .group:
            var ids: [JSONValue] = []
            for call in calls {
                let message = call.message(taskID: settings.idGenerator(), input: input)
                try await broker.send(message, settings: settings)
                ids.append(.string(message.taskID))
            }
            try await sendCollector(
                broker: broker, settings: settings, index: index, data: data,
                args: [.array(ids)], name: PipelineTasks.waitTasks)
        }
    }

    private func sendCollector(
        broker: any AsyncBroker, settings: BrokerComponents.Settings, index: Int, data: String,
        args: [JSONValue], name: String
    ) async throws {
        var message = TaskiqMessage(
            taskID: taskID, taskName: name, args: args,
            kwargs: ["check_interval": .double(checkInterval), "skip_errors": .bool(skipErrors)])
        PipelineLabels.apply(to: &message, step: index, data: data, dataFirst: false)
        try await broker.send(message, settings: settings)
    }
}
