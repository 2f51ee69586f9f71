/// An error thrown when bytes are not valid JSON, saying what was found, what was expected and where.
///
/// ```swift
/// do { _ = try JSONParser().parse("[1, 2,]") }
/// catch { print(error) }  // expected a value after ',', found ']' at line 1, column 7
/// ```
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem was found. An open set: switch with a `default` case.
    public typealias Code = ErrorCode<JSONParseError>

    /// What kind of problem was found.
    public var code: Code
    /// The byte offset of the problem, from 0.
    public var offset: Int
    /// The line of the problem, from 1.
    public var line: Int
    /// The column of the problem, from 1, counted in Unicode scalars.
    public var column: Int
    /// What was found and what was expected, without the position (see ``description``).
    public var message: String

    /// Creates an error.
    public init(code: Code, offset: Int, line: Int, column: Int, message: String) {
        self.code = code
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    /// The message followed by the line and column, e.g.
    /// `expected ',' or '}' after object member, found 'x' at line 3, column 7`.
    public var description: String { "\(message) at line \(line), column \(column)" }
}

extension ErrorCode where Domain == JSONParseError {
    /// A character that cannot appear at this point.
    public static var unexpectedCharacter: Self { "unexpectedCharacter" }
    /// The input ended inside a value.
    public static var unexpectedEndOfInput: Self { "unexpectedEndOfInput" }
    /// Characters follow the top-level value.
    public static var trailingCharacters: Self { "trailingCharacters" }
    /// A malformed number, such as `01`, `1.` or `-`.
    public static var invalidNumber: Self { "invalidNumber" }
    /// A number too large for a `Double` (or a non-finite literal when they are not allowed).
    public static var numberOutOfRange: Self { "numberOutOfRange" }
    /// A backslash escape that JSON does not define, or a malformed `\u` escape.
    public static var invalidEscape: Self { "invalidEscape" }
    /// A `\u` escape for half of a surrogate pair without the other half.
    public static var loneSurrogate: Self { "loneSurrogate" }
    /// A control character (U+0000 to U+001F) written unescaped inside a string.
    public static var controlCharacterInString: Self { "controlCharacterInString" }
    /// Bytes that are not well-formed UTF-8.
    public static var invalidUTF8: Self { "invalidUTF8" }
    /// Arrays and objects nested deeper than ``JSONParser/maximumDepth``.
    public static var tooDeep: Self { "tooDeep" }
    /// Input longer than ``JSONParser/maximumInputSize``.
    public static var inputTooLarge: Self { "inputTooLarge" }
}
