/// One step of a pipeline as it travels in the `_pipe_data` label: taskiq-pipelines' `DumpedStep`.
///
/// The kinds are taskiq-pipelines' `sequential` (`call_next`, `call_after`), `mapper` (`map`) and
/// `filter`, and this package's `group`, which Python taskiq-pipelines 0.1.4 does not know: a
/// Python worker that finishes the step *before* a group logs `Unknown step type` and stops the
/// pipeline, so the step before a group must run on a Swift worker (a group that starts a
/// pipeline is sent by the producer, so its members and the steps after it may run anywhere).
public struct PipelineStep: Sendable, Hashable {
    /// What a step does with the previous result.
    public enum Kind: String, Sendable, Hashable {
        /// Runs one task on the result (`call_next`, `call_after`).
        case sequential
        /// Runs the task on every item of a list result and collects the results in order.
        case mapper
        /// Runs the task on every item and keeps the items for which it returned a true value.
        case filter
        /// Runs several tasks on the result in parallel and collects their results in order.
        case group
    }

    /// The step's kind (`step_type`).
    public var kind: Kind
    /// The task or tasks the step sends: one, or a group's members.
    public var calls: [PipelineStepCall]
    /// Mapper, filter and group: drop failed items instead of failing the step (`skip_errors`).
    public var skipErrors: Bool
    /// Mapper, filter and group: how often the collector checks for results, in seconds (`check_interval`).
    public var checkInterval: Double
    /// The task ID the step's result is stored under (`task_id`); the last step's is the pipeline's.
    public var taskID: String

    /// Creates a step.
    /// - Parameters:
    ///   - kind: What the step does.
    ///   - calls: One call, or a group's members.
    ///   - skipErrors: Drop failed items instead of failing (mapper, filter, group).
    ///   - checkInterval: Seconds between the collector's checks (mapper, filter, group).
    ///   - taskID: The step's task ID; empty until the pipeline is sent.
    public init(
        kind: Kind, calls: [PipelineStepCall], skipErrors: Bool = false, checkInterval: Double = 0.5,
        taskID: String = ""
    ) {
        self.kind = kind
        self.calls = calls
        self.skipErrors = skipErrors
        self.checkInterval = checkInterval
        self.taskID = taskID
    }
}
