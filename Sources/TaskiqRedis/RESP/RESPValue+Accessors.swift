import Taskiq

/// Typed views of a reply, each `nil` when the value has another shape.
///
/// They absorb the differences between RESP2 and RESP3 replies to the same command: a map
/// reads as pairs whether it came as `%` or as a flat `*2k` array; any null is `nil`.
extension RESPValue {
    /// The value without attributes attached by the parser.
    package var withoutAttributes: RESPValue {
        if case .attributed(_, let value) = self { value.withoutAttributes } else { self }
    }

    /// The bytes of a bulk, simple or verbatim string.
    package var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let string): Array(string.utf8)
        case .verbatimString(_, let text): text
        case .attributed(_, let value): value.bytes
        default: nil
        }
    }

    /// The text of a string-like value, decoding bulk bytes as UTF-8 (invalid sequences are
    /// replaced); integers, doubles and big numbers give their decimal form.
    package var string: String? {
        switch self {
        case .simpleString(let string), .bigNumber(let string): string
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .verbatimString(_, let text): String(decoding: text, as: UTF8.self)
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .attributed(_, let value): value.string
        default: nil
        }
    }

    /// An integer, or a string holding one (Redis sends some counts as bulk strings).
    package var int: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .simpleString, .bulkString, .bigNumber: string.flatMap { Int($0) }
        case .attributed(_, let value): value.int
        default: nil
        }
    }

    /// A double, or a string or integer holding one.
    package var double: Double? {
        switch self {
        case .double(let value): value
        case .integer(let value): Double(value)
        case .simpleString, .bulkString: string.flatMap { Double($0) }
        case .attributed(_, let value): value.double
        default: nil
        }
    }

    /// A boolean, or the integer 0 or 1 (RESP2's spelling).
    package var bool: Bool? {
        switch self {
        case .boolean(let value): value
        case .integer(0): false
        case .integer(1): true
        case .attributed(_, let value): value.bool
        default: nil
        }
    }

    /// The elements of an array, set or push.
    package var array: [RESPValue]? {
        switch self {
        case .array(let values), .set(let values), .push(let values): values
        case .attributed(_, let value): value.array
        default: nil
        }
    }

    /// The pairs of a map, or of a flat array of alternating keys and values.
    package var pairs: [Pair]? {
        switch self {
        case .map(let pairs): return pairs
        case .array(let values):
            guard values.count % 2 == 0 else { return nil }
            return stride(from: 0, to: values.count, by: 2).map { Pair(values[$0], values[$0 + 1]) }
        case .attributed(_, let value): return value.pairs
        default: return nil
        }
    }

    /// The server error this value carries, if it is an error reply.
    package var redisError: RedisError? {
        switch self {
        case .simpleError(let line), .bulkError(let line): RedisError(reply: line)
        case .attributed(_, let value): value.redisError
        default: nil
        }
    }

    /// This value, or the ``RedisError`` it carries.
    /// - Throws: ``RedisError`` when the value is an error reply.
    package func checked() throws(RedisError) -> RESPValue {
        if let error = redisError { throw error }
        return self
    }
}
