/// The error the shop's tasks throw; its message becomes the task's error result.
public struct ShopError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is.
    public struct Code: RawRepresentable, Sendable, Hashable {
        /// The code's name.
        public var rawValue: String
        /// Creates a code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The request cannot be served as asked (an empty order, a closed refund desk).
        public static let refused = Code(rawValue: "refused")
        /// A number does not fit (a total outside `Int`).
        public static let outOfRange = Code(rawValue: "out_of_range")
    }

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
