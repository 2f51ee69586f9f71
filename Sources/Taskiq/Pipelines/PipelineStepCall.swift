/// One task a step sends: its name, labels and fixed arguments, and where the previous result goes.
///
/// A sequential, mapper or filter step has one call; a group step has one per member.
public struct PipelineStepCall: Sendable, Hashable {
    /// The registered task name.
    public var taskName: String
    /// The task's labels, sent with each kick (strings on the wire, as taskiq-pipelines stores them).
    public var labels: JSONObject
    /// Where the previous step's result (or the list item) goes.
    public var parameter: PipelineParameter
    /// Fixed positional arguments after the fed result. Group members only: taskiq-pipelines'
    /// steps carry keyword arguments alone.
    public var args: [JSONValue]
    /// Fixed keyword arguments (taskiq-pipelines' `additional_kwargs`).
    public var kwargs: JSONObject

    /// Creates a call.
    /// - Parameters:
    ///   - taskName: The registered task name.
    ///   - labels: Labels sent with each kick.
    ///   - parameter: Where the previous result goes.
    ///   - args: Fixed positional arguments after the fed result.
    ///   - kwargs: Fixed keyword arguments.
    public init(
        taskName: String, labels: JSONObject = [:], parameter: PipelineParameter = .first,
        args: [JSONValue] = [], kwargs: JSONObject = [:]
    ) {
        self.taskName = taskName
        self.labels = labels
        self.parameter = parameter
        self.args = args
        self.kwargs = kwargs
    }

    /// The message that runs this call on `input` (the previous result or a list item).
    func message(taskID: String, input: JSONValue?) -> TaskiqMessage {
        var message = TaskiqMessage(taskID: taskID, taskName: taskName, labels: labels, args: [], kwargs: kwargs)
        switch parameter {
        case .first:
            message.args = [input ?? .null] + args
        case .ignored:
            message.args = args
        case .keyword(let name):
            message.args = args
            message.kwargs[name] = input ?? .null
        }
        return message
    }
}
