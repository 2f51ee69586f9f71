import Taskiq

/// One value of the Redis serialization protocol, RESP2 or RESP3.
///
/// Bulk strings hold raw bytes (`[UInt8]`): Redis values are binary and need not be UTF-8.
/// The three spellings of null (`$-1`, `*-1`, RESP3 `_`) stay distinguishable through
/// ``Null`` so that values re-encode to the bytes they came from; `case .null:` matches all of
/// them and ``isNull`` asks the question most callers mean.
package enum RESPValue: Sendable, Hashable {
    /// Which wire spelling a null had.
    package enum Null: Sendable, Hashable {
        /// RESP2 null bulk string, `$-1\r\n`.
        case bulkString
        /// RESP2 null array, `*-1\r\n`.
        case array
        /// RESP3 null, `_\r\n`.
        case resp3
    }

    /// A key and value of a RESP3 map or attribute, in wire order.
    package struct Pair: Sendable, Hashable {
        /// The key.
        package var key: RESPValue
        /// The value.
        package var value: RESPValue
        /// Creates a pair.
        package init(_ key: RESPValue, _ value: RESPValue) {
            self.key = key
            self.value = value
        }
    }

    /// `+OK`: a short line of text without CR or LF.
    case simpleString(String)
    /// `-ERR message`: an error reply; the first word is the code.
    case simpleError(String)
    /// `:42`: a signed 64-bit integer.
    case integer(Int64)
    /// `$3\r\nfoo`: binary-safe bytes.
    case bulkString([UInt8])
    /// `*2 ...`: an ordered list.
    case array([RESPValue])
    /// `$-1`, `*-1` or `_`.
    case null(Null)
    /// RESP3 `#t` / `#f`.
    case boolean(Bool)
    /// RESP3 `,1.5`, including `inf`, `-inf` and `nan`.
    case double(Double)
    /// RESP3 `(123...`: an integer of any size, kept as its decimal digits.
    case bigNumber(String)
    /// RESP3 `!21\r\nSYNTAX invalid syntax`: an error reply that may contain any bytes.
    case bulkError(String)
    /// RESP3 `=15\r\ntxt:Some string`: text with a three-character format such as `txt` or `mkd`.
    case verbatimString(format: String, text: [UInt8])
    /// RESP3 `%1 ...`: key-value pairs in wire order (keys need not be unique or hashable).
    case map([Pair])
    /// RESP3 `~2 ...`: an unordered collection, kept in wire order.
    case set([RESPValue])
    /// RESP3 `>3 ...`: an out-of-band message (pub/sub, invalidation). The parser routes
    /// top-level pushes aside as ``RESPParser/Event/push(_:)``.
    case push([RESPValue])
    /// A value preceded by RESP3 attributes (`|1 ...`), produced only when the parser is
    /// asked to attach attributes instead of skipping them.
    indirect case attributed(attributes: [Pair], value: RESPValue)
}

extension RESPValue {
    /// Whether this is any of the null spellings.
    package var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// Whether this is an error reply (simple or bulk).
    package var isError: Bool {
        switch self {
        case .simpleError, .bulkError: true
        default: false
        }
    }

    /// The name of the wire type, for error messages (`bulk string`, `map`, ...).
    package var typeName: String {
        switch self {
        case .simpleString: "simple string"
        case .simpleError: "simple error"
        case .integer: "integer"
        case .bulkString: "bulk string"
        case .array: "array"
        case .null: "null"
        case .boolean: "boolean"
        case .double: "double"
        case .bigNumber: "big number"
        case .bulkError: "bulk error"
        case .verbatimString: "verbatim string"
        case .map: "map"
        case .set: "set"
        case .push: "push"
        case .attributed(_, let value): value.typeName
        }
    }
}
