/// An error of a pipeline: one that cannot be built or sent, a pipeline label that cannot be read,
/// or a step that cannot act on its input.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public typealias Code = ErrorCode<PipelineError>

    /// What kind of failure this is.
    public var code: Code
    /// What was found and what was expected.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension ErrorCode where Domain == PipelineError {
    /// The pipeline has no steps, or its first step cannot start it.
    public static var emptyPipeline: Self { "empty_pipeline" }
    /// A step or the `_pipe_data` label cannot be read or built.
    public static var invalidPipeline: Self { "invalid_pipeline" }
    /// A mapper or filter step got a result that is not a list (taskiq-pipelines' `AbortPipeline`).
    public static var notIterable: Self { "not_iterable" }
}
