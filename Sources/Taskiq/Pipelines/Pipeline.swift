/// A chain of tasks run one after another by the workers, each fed the previous one's result:
/// taskiq-pipelines' `Pipeline`, typed.
///
/// A step only compiles when its task takes the previous step's result type: `callNext` needs a
/// task whose first parameter is the result, `map` and `filter` need a list result and a task on
/// its element, `group` runs several tasks on the result and yields the list of their results.
///
/// ```swift
/// let handle = try await Pipeline(add)      // (Int, Int) -> Int
///     .callNext(range)                      // (Int) -> [Int]
///     .map(square)                          // (Int) -> Int, giving [Int]
///     .filter(isEven)                       // (Int) -> Bool
///     .callNext(sum)                        // ([Int]) -> Int
///     .kiq(1, 2)
/// let total = try await handle.waitResult(timeout: .seconds(10)).get()
/// ```
///
/// The steps travel in the `_pipe_current_step` and `_pipe_data` labels exactly as Python
/// taskiq-pipelines 0.1.4 writes them, and every worker running steps needs a
/// ``PipelineMiddleware``, so Swift and Python workers can run each other's steps. The handle reads
/// the last step's result, stored under the pipeline's last task ID; a failed step stores its error
/// there.
public struct Pipeline<each Argument: Codable & Sendable, Result: Sendable>: Sendable {
    /// The steps, in order; task IDs are assigned when the pipeline is sent.
    public private(set) var steps: [PipelineStep]
    /// Encodes the first task's arguments; `nil` when the pipeline starts with a group.
    let first: TaskDefinition<repeat each Argument, JSONValue>?
    let binding: TaskBinding?
    let decodeResult: @Sendable (JSONValue) throws -> Result
    /// The first problem found while building, thrown by ``kiq(_:)``.
    let buildError: PipelineError?
    private var broker: (any AsyncBroker)?

    /// Starts a pipeline with a task; the pipeline takes its arguments.
    /// - Parameter first: The first task, sent with the arguments given to ``kiq(_:)``.
    public init(_ first: TaskDefinition<repeat each Argument, Result>) {
        self.steps = [PipelineStep(kind: .sequential, calls: [PipelineStepCall(taskName: first.name, labels: first.labels)])]
        self.first = TaskDefinition<repeat each Argument, JSONValue>(
            name: first.name, labels: first.labels, parameterNames: first.parameterNames,
            body: TaskBody(asyncCall: nil, syncCall: nil), encodeResult: { $0 }, decodeResult: { $0 })
        self.binding = first.binding
        self.decodeResult = first.decodeResult
        self.buildError = nil
    }

    init(
        steps: [PipelineStep], first: TaskDefinition<repeat each Argument, JSONValue>?, binding: TaskBinding?,
        broker: (any AsyncBroker)?, buildError: PipelineError?,
        decodeResult: @escaping @Sendable (JSONValue) throws -> Result
    ) {
        self.steps = steps
        self.first = first
        self.binding = binding
        self.broker = broker
        self.buildError = buildError
        self.decodeResult = decodeResult
    }

    /// This pipeline with one more step, a new result type and the first build error kept.
    func appending<Next>(
        _ step: PipelineStep, error: PipelineError? = nil,
        decode: @escaping @Sendable (JSONValue) throws -> Next
    ) -> Pipeline<repeat each Argument, Next> {
        Pipeline<repeat each Argument, Next>(
            steps: steps + [step], first: first, binding: binding, broker: broker,
            buildError: buildError ?? error, decodeResult: decode)
    }

    /// Sends through this broker instead of the first task's own.
    public func withBroker(_ broker: any AsyncBroker) -> Self {
        var copy = self
        copy.broker = broker
        return copy
    }

    /// Sends the first step with these arguments; the workers run the rest.
    /// - Returns: A handle to the last step's result, which is the pipeline's.
    /// - Throws: ``PipelineError`` when the pipeline was built wrongly (such as extra arguments of
    ///   a task without parameter names), ``TaskiqError`` with code `.sendFailed` when no broker is
    ///   bound or sending fails.
    public func kiq(_ arguments: repeat each Argument) async throws -> TaskHandle<Result> {
        if let buildError { throw buildError }
        guard let broker = broker ?? binding?.broker else {
            throw TaskiqError(.sendFailed, "the pipeline's first task is not bound to a broker: register it, or use withBroker(_:)")
        }
        let args = try first?.encodeArguments(repeat each arguments) ?? []
        let lastTaskID = try await PipelineLauncher.start(steps, args: args, kwargs: [:], broker: broker)
        return TaskHandle(taskID: lastTaskID, backend: broker.resultBackend, broker: broker, decode: decodeResult)
    }
}
