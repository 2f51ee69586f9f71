/// One value of a variadic positional argument, with whether it came after `--`.
///
/// A value after `--` is literal: `kick` reads none of them as `name=value`.
public struct PositionalValue: Sendable, Hashable {
    /// The value as typed.
    public var value: String
    /// Whether it came after `--`.
    public var isLiteral: Bool

    /// Creates a value.
    /// - Parameters:
    ///   - value: The value as typed.
    ///   - isLiteral: Whether it came after `--`.
    public init(_ value: String, isLiteral: Bool = false) {
        self.value = value
        self.isLiteral = isLiteral
    }
}
