import Taskiq

/// The error the shop's tasks throw; its message becomes the task's error result.
public struct ShopError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is: Taskiq's open-set code shape, with the shop's codes below.
    public typealias Code = ErrorCode<ShopError>

    /// What kind of failure it is.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String

    /// Creates the error.
    /// - Parameters:
    ///   - code: What kind of failure it is.
    ///   - message: What went wrong, for a person.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension ErrorCode where Domain == ShopError {
    /// The request cannot be served as asked (an empty order, a closed refund desk).
    public static var refused: Self { "refused" }
    /// A number does not fit (a total outside `Int`).
    public static var outOfRange: Self { "out_of_range" }
}
