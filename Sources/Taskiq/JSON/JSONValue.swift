/// A JSON value: the currency of task arguments, labels and results on the wire.
///
/// `JSONValue` takes literals, so labels and arguments read naturally:
/// ```swift
/// let labels: [String: JSONValue] = ["priority": 5, "queue": "fast", "retry_on_error": true]
/// ```
/// Integers that fit in `Int` are kept as ``int(_:)``, larger ones exactly as ``bigInteger(_:)``;
/// numbers with a fraction or an exponent are ``double(_:)``, so `1.0` stays a float and `1` an integer,
/// as in Python. Objects keep the order of their keys (see ``JSONObject``), so encoding is deterministic.
///
/// Equality is by value within a kind: an integer equals the same integer whether it is held as
/// ``int(_:)`` or ``bigInteger(_:)``, but never a double (`1 != 1.0`), and `true` is not `1`.
public enum JSONValue: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integral number that fits in `Int`.
    case int(Int)
    /// An integral number outside `Int`'s range, kept exactly (Python integers have no size limit).
    case bigInteger(JSONBigInteger)
    /// A number written with a fraction or an exponent, as a 64-bit float.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with ordered keys.
    case object(JSONObject)
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// Creates `null`.
    public init(nilLiteral: ()) { self = .null }
    /// Creates a boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates an integer.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// Creates a floating-point number.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Creates a string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates an array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Creates an object, keeping the literal's key order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The integer, if this is an integer that fits in `Int` (or a double with an exact integral value).
    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .bigInteger(let big): big.intValue
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }
    /// The number as a `Double`, if this is a number within `Double`'s range (an integer is rounded
    /// to the nearest `Double`, as Python's `float(int)` does).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .bigInteger(let big): big.doubleValue
        case .double(let d): d
        default: nil
        }
    }
    /// The boolean, if this is a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// The object, if this is an object.
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    /// Whether this is `null`.
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The JSON type name, for error messages: `null`, `boolean`, `integer`, `number`, `string`, `array`, `object`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .bigInteger: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue {
    /// The integer given by decimal digits: ``int(_:)`` when it fits in `Int`, else ``bigInteger(_:)``;
    /// `nil` when the text is not an optionally signed run of digits.
    ///
    /// - Parameter digits: Decimal text such as `"18446744073709551616"`.
    public init?(integerDigits digits: String) {
        guard let big = JSONBigInteger(digits) else { return nil }
        self.init(big)
    }

    /// The integer `value`: ``int(_:)`` when it fits in `Int`, else ``bigInteger(_:)``.
    ///
    /// - Parameter value: Any binary integer, such as a `UInt64` or an `Int128`.
    public init(integer value: some BinaryInteger) {
        if let int = Int(exactly: value) {
            self = .int(int)
        } else {
            self = .bigInteger(JSONBigInteger(value))
        }
    }

    init(_ big: JSONBigInteger) {
        if let int = big.intValue {
            self = .int(int)
        } else {
            self = .bigInteger(big)
        }
    }
}

extension JSONValue: Hashable {
    /// Whether two values are equal: integers by value whichever case holds them, everything else
    /// by kind and content (so `1 != 1.0` and `true != 1`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.bigInteger(let a), .bigInteger(let b)): a == b
        case (.int(let a), .bigInteger(let b)), (.bigInteger(let b), .int(let a)): b.intValue == a
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    /// Hashes the value consistently with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0)
        case .bool(let bool):
            hasher.combine(1)
            hasher.combine(bool)
        case .int(let int):
            hasher.combine(2)
            hasher.combine(int)
        case .bigInteger(let big):
            hasher.combine(2)
            if let int = big.intValue { hasher.combine(int) } else { hasher.combine(big) }
        case .double(let double):
            hasher.combine(3)
            hasher.combine(double)
        case .string(let string):
            hasher.combine(4)
            hasher.combine(string)
        case .array(let elements):
            hasher.combine(5)
            hasher.combine(elements)
        case .object(let object):
            hasher.combine(6)
            hasher.combine(object)
        }
    }
}
