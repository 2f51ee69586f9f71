/// The typed name of a value in a broker's ``TaskiqState``: what a startup hook stores and a
/// task reads, checked by the compiler on both sides.
///
/// ```swift
/// extension StateKey where Value == DatabasePool {
///     static let database = StateKey("database")
/// }
/// ```
public struct StateKey<Value: Sendable>: Sendable, Hashable, CustomStringConvertible {
    /// The name the value is stored under; unique within a broker's state.
    public let name: String

    /// Creates a key.
    public init(_ name: String) {
        self.name = name
    }

    /// The name.
    public var description: String { name }
}
