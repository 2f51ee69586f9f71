import Taskiq

/// A component's validated settings, with defaults filled in: what a factory receives.
///
/// ```swift
/// static let channel = Option<String>.string("channel", default: "tasks", description: "Where audit lines go.")
/// registry.register(middleware: "audit", options: [channel]) { options in
///     AuditMiddleware(channel: try options[channel])
/// }
/// ```
/// Every declared option has a value (its default when the file leaves it out); accessors throw
/// only when asked for an option the factory did not declare, or with the wrong type.
public struct ComponentOptions: Sendable, Hashable {
    /// The component's `type`, such as `inmemory`.
    public let type: String
    /// Every declared option's value, in declaration order.
    public let values: JSONObject

    /// Creates options, for tests of factories.
    /// - Parameters:
    ///   - type: The component's type name.
    ///   - values: The option values.
    public init(type: String, values: JSONObject) {
        self.type = type
        self.values = values
    }

    /// The value of an option, or `nil` when it is not declared.
    public subscript(name: String) -> JSONValue? { values[name] }

    /// The value of a typed option, decoded to its Swift type.
    ///
    /// Throws only for a programming error: a key the component did not declare, or a value
    /// of another type than the key's (a ``ComponentOptions`` made by hand in a test).
    public subscript<Value>(option: Option<Value>) -> Value {
        get throws(ConfigError) {
            guard let value = values[option.name] else { throw undeclared(option.name) }
            guard let typed = option.decode(value) else { throw missing(option.name, option.declaration.expectation) }
            return typed
        }
    }

    /// An integer option.
    public func int(_ name: String) throws(ConfigError) -> Int {
        guard let value = try optional(name, \.intValue, "an integer") else { throw missing(name, "an integer") }
        return value
    }

    /// An integer option that may be `null`.
    public func optionalInt(_ name: String) throws(ConfigError) -> Int? {
        try optional(name, \.intValue, "an integer")
    }

    /// A number option.
    public func double(_ name: String) throws(ConfigError) -> Double {
        guard let value = try optional(name, \.doubleValue, "a number") else { throw missing(name, "a number") }
        return value
    }

    /// A number option that may be `null`.
    public func optionalDouble(_ name: String) throws(ConfigError) -> Double? {
        try optional(name, \.doubleValue, "a number")
    }

    /// A boolean option.
    public func bool(_ name: String) throws(ConfigError) -> Bool {
        guard let value = try optional(name, \.boolValue, "a boolean") else { throw missing(name, "a boolean") }
        return value
    }

    /// A string or choice option.
    public func string(_ name: String) throws(ConfigError) -> String {
        guard let value = try optional(name, \.stringValue, "a string") else { throw missing(name, "a string") }
        return value
    }

    /// A string option that may be `null`.
    public func optionalString(_ name: String) throws(ConfigError) -> String? {
        try optional(name, \.stringValue, "a string")
    }

    private func optional<T>(_ name: String, _ read: (JSONValue) -> T?, _ expected: String) throws(ConfigError) -> T? {
        guard let value = values[name] else { throw undeclared(name) }
        if value.isNull { return nil }
        guard let typed = read(value) else { throw missing(name, expected) }
        return typed
    }

    private func undeclared(_ name: String) -> ConfigError {
        ConfigError(
            .componentFailed, file: "", path: name,
            "the '\(type)' factory reads option '\(name)', which it does not declare; declared: \(values.keys.joined(separator: ", "))")
    }

    private func missing(_ name: String, _ expected: String) -> ConfigError {
        ConfigError(
            .componentFailed, file: "", path: name,
            "the '\(type)' factory reads option '\(name)' as \(expected), found \(values[name]?.described ?? "nothing")")
    }
}
