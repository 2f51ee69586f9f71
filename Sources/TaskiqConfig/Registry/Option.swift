import Taskiq

/// A typed option key: one declaration that names an option once and turns its validated JSON
/// value into the Swift value a factory passes on.
///
/// Declare the key once and use it both in the component's option list and in its factory:
/// ```swift
/// static let syncTasksPoolSize = Option<Int>.integer(
///     "sync_tasks_pool_size", default: 4, range: 1...1024, description: "Threads that run synchronous tasks.")
///
/// registry.register(broker: "pool", options: [syncTasksPoolSize]) { options in
///     PoolBroker(size: try options[syncTasksPoolSize])
/// }
/// ```
/// The name, JSON type, default, range and description live in ``declaration``, which validation
/// (with JSON paths), the generated schema and `check`'s resolved output all read; the key's
/// decoder turns the validated value into `Value` (seconds into a `Duration`, a string into an enum).
/// The constructors are in `Option+Constructors.swift`.
public struct Option<Value: Sendable>: OptionDeclaration {
    /// The name, JSON type, default, range and description.
    public let declaration: ComponentOption
    /// Turns a validated value (already of the declared JSON type, defaults filled in) into `Value`;
    /// `nil` when the value is not of that type.
    let decode: @Sendable (JSONValue) -> Value?
    /// Writes a Swift value back as the file would (for `check`'s resolved output).
    let encode: @Sendable (Value) -> JSONValue

    /// Creates a key from a declaration and its conversions; prefer the typed constructors such as
    /// ``integer(_:default:range:description:)``.
    /// - Parameters:
    ///   - declaration: The option as validation and the schema see it.
    ///   - encode: Writes a Swift value as the file would.
    ///   - decode: Turns a validated JSON value into `Value`, or returns `nil` for a value of another type.
    public init(
        _ declaration: ComponentOption, encode: @escaping @Sendable (Value) -> JSONValue,
        decode: @escaping @Sendable (JSONValue) -> Value?
    ) {
        self.declaration = declaration
        self.encode = encode
        self.decode = decode
    }

    /// A Swift value as the file writes it, such as `2.5` for a duration of seconds.
    public func json(_ value: Value) -> JSONValue { encode(value) }

    /// The key in the component's object, such as `sync_tasks_pool_size`.
    public var name: String { declaration.name }

    /// The declared default as a Swift value; `nil` when the option is required.
    public var defaultValue: Value? {
        declaration.isRequired ? nil : decode(declaration.defaultValue)
    }
}
