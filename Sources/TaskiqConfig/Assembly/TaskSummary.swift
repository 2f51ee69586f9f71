import Taskiq

/// A loaded task as listings show it.
public struct TaskSummary: Sendable, Hashable {
    /// The registered name, such as `examples.add`.
    public var name: String
    /// The module that provides it.
    public var module: String
    /// The name of the broker it is registered with and sent through: `default` or a key of `brokers`.
    public var broker: String
    /// A readable signature, such as `examples.add(a: Int, b: Int) -> Int`.
    public var signature: String
    /// The declared parameter names.
    public var parameterNames: [String]
    /// The labels sent with every kick.
    public var labels: JSONObject
}
