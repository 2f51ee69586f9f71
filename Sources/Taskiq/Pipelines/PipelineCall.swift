/// A task with its arguments, as a member of a group that starts a pipeline.
///
/// Made with ``TaskDefinition/call(_:)``: `add.call(1, 2)`.
public struct PipelineCall<Result: Sendable>: Sendable {
    /// The step call sent for this member.
    public let call: PipelineStepCall
    let decodeResult: @Sendable (JSONValue) throws -> Result
    let binding: TaskBinding
}

extension TaskDefinition {
    /// This task with these arguments, to start a pipeline with a group:
    /// `Pipeline(group: [add.call(1, 2), add.call(3, 4)])`.
    /// - Throws: ``TaskiqError`` with code `.sendFailed` when an argument cannot be encoded.
    public func call(_ arguments: repeat each Argument) throws -> PipelineCall<Result> {
        PipelineCall(
            call: PipelineStepCall(
                taskName: name, labels: labels, parameter: .ignored,
                args: try encodeArguments(repeat each arguments)),
            decodeResult: decodeResult, binding: binding)
    }
}

extension Pipeline {
    /// Starts a pipeline with a group: the members run in parallel and the pipeline's result is the
    /// list of their results, in order, to feed to the next step (a chord, with ``callNext(_:_:)``).
    ///
    /// ```swift
    /// let total = try await Pipeline(group: [add.call(1, 2), add.call(3, 4)]).callNext(sum).kiq()
    /// ```
    /// - Parameters:
    ///   - members: The tasks with their arguments.
    ///   - skipErrors: Leave failed members out of the list instead of failing the pipeline.
    ///   - checkInterval: How often the collector checks for results, in seconds.
    public init<Member: Sendable>(
        group members: [PipelineCall<Member>], skipErrors: Bool = false,
        checkInterval: Double = 0.5
    ) where Result == [Member] {
        let decode: @Sendable (JSONValue) throws -> Member
        if let first = members.first {
            decode = first.decodeResult
        } else {
            decode = { _ in throw PipelineError(.invalidPipeline, "empty group") }
        }
        self.init(
            steps: [
                PipelineStep(
                    kind: .group, calls: members.map { $0.call }, skipErrors: skipErrors,
                    checkInterval: checkInterval)
            ],
            first: nil, binding: members.first?.binding, broker: nil,
            buildError: members.isEmpty ? PipelineError(.emptyPipeline, "a group needs at least one task") : nil,
            decodeResult: Self.listDecoder(decode))
    }
}
