import Taskiq

/// Adds one label to every message a producer sends, such as `tag: spring-sale`.
///
/// The worker's `shop-worker` registers it as the middleware type `tagging`, so a config file
/// names it: `{"type": "tagging", "label_value": "spring-sale"}`.
public struct TaggingMiddleware: TaskiqMiddleware {
    /// The label's key.
    public var labelName: String
    /// The label's value.
    public var value: String

    /// Creates the middleware.
    /// - Parameters:
    ///   - labelName: The label's key.
    ///   - value: The label's value.
    public init(labelName: String = "tag", value: String) {
        self.labelName = labelName
        self.value = value
    }

    /// Sets the label on the message, replacing a value the caller gave.
    public func preSend(_ message: TaskiqMessage) async throws -> TaskiqMessage {
        var message = message
        message.setLabel(labelName, .string(value))
        return message
    }
}
