/// Runs the next step of a pipeline when a step's result is stored: taskiq-pipelines'
/// `PipelineMiddleware`, with the same labels, step JSON and error handling.
///
/// Add it to every worker's broker that runs pipeline steps (and to producers, which only need it
/// for the collector tasks when they also work). Adding it registers the collector tasks
/// `taskiq_pipelines.shared.wait_tasks` and `taskiq_pipelines.shared.filter_tasks`.
///
/// When a step fails and is not the last, its error is stored as the result of the pipeline's last
/// task, so a producer waiting on the pipeline's handle sees it. When a step cannot act (a mapper
/// or filter given no list, a send that fails), an `AbortPipeline` error is stored there instead.
/// A pipeline label that cannot be read is logged and the pipeline stops, as in Python. As in
/// Python, a failed attempt that a retry middleware will retry still stores the error (unless the
/// attempt stores no result); when the retry succeeds the pipeline goes on and overwrites it.
public struct PipelineMiddleware: BrokerAttachedMiddleware {
    /// Creates the middleware.
    public init() {}

    package func attach(to broker: any AsyncBroker) {
        PipelineTasks.register(on: broker)
    }

    /// Sends the next step when this message is a pipeline step that succeeded.
    public func postSave(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws {
        guard !result.isErr, let index = PipelineLabels.currentStep(of: message), let context = TaskContext.current else { return }
        guard let label = message.labels[PipelineLabels.data] else {
            context.workerLogger.warning("pipeline data not found in task \(message.taskID); the pipeline stops")
            return
        }
        let text: String
        let steps: [PipelineStep]
        do {
            text = try PipelineLabels.text(of: label)
            steps = try PipelineLabels.decode(text)
        } catch {
            context.workerLogger.warning("cannot read the pipeline of task \(message.taskID): \(error); the pipeline stops")
            return
        }
        // `index < count - 1`, not `index + 1 < count`: the label is external and may be Int.max.
        guard index >= 0, index < steps.count - 1 else { return }
        let next = steps[index + 1]
        do {
            try await next.act(
                broker: context.broker, index: index + 1, parentTaskID: message.taskID,
                data: text, input: result.returnValue)
        } catch {
            context.workerLogger.warning("pipeline aborted at step \(index + 1) after task \(message.taskID): \(error)")
            guard let last = steps.last else { return }
            try await Self.fail(
                last.taskID, broker: context.broker,
                error: TaskError(
                    name: "AbortPipeline", arguments: [.string("Pipeline was aborted. \(error)")],
                    module: "taskiq_pipelines.exceptions"))
        }
    }

    /// Stores the error of a failed step, other than the last, as the pipeline's result.
    public func onError(_ message: TaskiqMessage, result: inout TaskiqResult<JSONValue>, error: TaskError) async throws {
        guard let index = PipelineLabels.currentStep(of: message), let context = TaskContext.current,
            let label = message.labels[PipelineLabels.data]
        else { return }
        // A retry that stores no result is not a failure of the pipeline yet.
        if result.error == .noResult { return }
        guard let steps = try? PipelineLabels.decode(try PipelineLabels.text(of: label)),
            let last = steps.last, index != steps.count - 1
        else { return }
        try await Self.fail(last.taskID, broker: context.broker, error: result.error ?? error)
    }

    /// taskiq-pipelines' `fail_pipeline`: an error result under the last task's ID.
    static func fail(_ lastTaskID: String, broker: any AsyncBroker, error: TaskError) async throws {
        try await broker.resultBackend.setResult(
            TaskiqResult(isErr: true, log: "Error found while executing pipeline.", returnValue: nil, executionTime: 0, error: error),
            for: lastTaskID)
    }
}
