/// What kind of failure an error is: a stable name from an open set, one set per error type.
///
/// Every Taskiq error carries a `code` of this type. Codes are structs rather than enums so that
/// new ones can be added without breaking anyone's `switch`: compare with the static members and
/// keep a `default` case. `Domain` is the type the codes belong to (usually the error itself); it
/// is never stored, and only keeps one type's codes apart from another's, so that a
/// ``TaskiqError`` code cannot be compared with a ``ScheduleError`` code by mistake.
///
/// Each error type names its codes in a constrained extension, and its `Code` is an alias:
///
/// ```swift
/// public struct QuotaError: Error {
///     public typealias Code = ErrorCode<QuotaError>
///     public var code: Code
/// }
///
/// extension ErrorCode where Domain == QuotaError {
///     /// The caller used up its quota.
///     public static var exhausted: Self { "exhausted" }
/// }
///
/// if error.code == .exhausted { ... }
/// ```
public struct ErrorCode<Domain>: Hashable, Sendable, RawRepresentable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The code's stable name, such as `unknown_task`: what logs, files and streams record.
    public let name: String

    /// Creates a code.
    /// - Parameter name: The code's stable name.
    public init(_ name: String) { self.name = name }

    /// Creates a code from its name, as `RawRepresentable` spells it.
    /// - Parameter rawValue: The code's stable name.
    public init(rawValue: String) { self.name = rawValue }

    /// Creates a code from a string literal, so that a static member can be written
    /// `static var exhausted: Self { "exhausted" }`.
    /// - Parameter value: The code's stable name.
    public init(stringLiteral value: String) { self.name = value }

    /// The code's name, as `RawRepresentable` spells it.
    public var rawValue: String { name }

    /// The code's name.
    public var description: String { name }

    /// Codes are equal when their names are.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
