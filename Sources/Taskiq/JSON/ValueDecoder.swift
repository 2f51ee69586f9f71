#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif

/// The `Decoder` behind ``JSONValueDecoder``: one JSON value, where it sits, and the rules to apply.
struct ValueDecoder: Decoder {
    struct Options {
        var lax: Bool
        var userInfo: [CodingUserInfoKey: any Sendable]
    }

    let value: JSONValue
    let codingPath: [any CodingKey]
    let options: Options
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw ValueDecoder.mismatch("object", value, codingPath)
        }
        return KeyedDecodingContainer(KeyedContainer(object: object, codingPath: codingPath, options: options))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw ValueDecoder.mismatch("array", value, codingPath)
        }
        return UnkeyedContainer(elements: elements, codingPath: codingPath, options: options)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// Decodes this decoder's value, handling JSON's and Foundation's types without a container.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Int.self { return try integer(Int.self) as! T }
        if T.self == String.self { return try string() as! T }
        if T.self == Double.self { return try double() as! T }
        if T.self == Bool.self { return try bool() as! T }
        if T.self == JSONValue.self { return value as! T }
        if T.self == JSONObject.self {
            guard case .object(let object) = value else { throw ValueDecoder.mismatch("JSONObject", value, codingPath) }
            return object as! T
        }
        if T.self == Date.self { return try date() as! T }
        if T.self == Data.self { return try data() as! T }
        if T.self == URL.self { return try url() as! T }
        return try T(from: self)
    }

    func child(_ value: JSONValue, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, codingPath: codingPath + [key], options: options)
    }

    // MARK: - Scalars

    func bool() throws -> Bool {
        if case .bool(let bool) = value { return bool }
        if options.lax {
            switch value {
            case .int(0): return false
            case .int(1): return true
            case .double(0): return false
            case .double(1): return true
            case .string(let string):
                switch string.trimmingASCIIWhitespace().lowercased() {
                case "0", "off", "f", "false", "n", "no": return false
                case "1", "on", "t", "true", "y", "yes": return true
                default: break
                }
            default: break
            }
        }
        throw mismatch(Bool.self) { try $0.bool() }
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        switch value {
        case .int(let int):
            if let exact = I(exactly: int) { return exact }
            throw outOfRange(I.self)
        case .bigInteger(let big):
            // Parsing the digits fails instead of wrapping; UInt64 still takes up to 2**64-1.
            if let exact = I(big.description) { return exact }
            throw outOfRange(I.self)
        case .double(let double):
            if let exact = I(exactly: double) { return exact }
            if double.isFinite, double.rounded() == double { throw outOfRange(I.self) }
        case .bool(let bool) where options.lax:
            return bool ? 1 : 0
        case .string(let string) where options.lax:
            var text = Substring(string.trimmingASCIIWhitespace())
            // pydantic accepts "5.00" for an int: a fractional part of zeros only.
            if let point = text.firstIndex(of: "."), text[text.index(after: point)...].allSatisfy({ $0 == "0" }) {
                text = text[..<point]
            }
            if text.utf8.allSatisfy({ $0 &- 0x30 < 10 || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }),
                text.utf8.contains(where: { $0 &- 0x30 < 10 })
            {
                if let parsed = I(text) { return parsed }
                if Int128(text) != nil || text.utf8.count > 40 { throw outOfRange(I.self) }
            }
        default:
            break
        }
        throw mismatch(I.self) { try $0.integer(I.self) }
    }

    func double() throws -> Double {
        switch value {
        case .double(let double): return double
        case .int(let int): return Double(int)
        case .bigInteger(let big):
            if let double = big.doubleValue { return double }
            throw corrupted(
                "expected Double, found integer \(value.excerpt()), which is too large to convert to a float "
                    + "(Python's float() raises OverflowError)")
        case .bool(let bool) where options.lax:
            return bool ? 1 : 0
        case .string(let string) where options.lax:
            let text = string.trimmingASCIIWhitespace()
            let allowed = text.utf8.allSatisfy { byte in
                byte &- 0x30 < 10 || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e")
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            }
            // "1e400" parses as infinity: refuse it as the JSON parser does, rather than hand a task inf.
            if allowed, text.utf8.contains(where: { $0 &- 0x30 < 10 }), let double = Double(text), double.isFinite {
                return double
            }
        default:
            break
        }
        throw mismatch(Double.self) { try $0.double() }
    }

    func float() throws -> Float {
        let double = try self.double()
        let float = Float(double)
        if float.isInfinite, double.isFinite { throw outOfRange(Float.self) }
        return float
    }

    func string() throws -> String {
        if case .string(let string) = value { return string }
        throw ValueDecoder.mismatch("String", value, codingPath)
    }

    func date() throws -> Date {
        switch value {
        case .string(let string):
            if let seconds = ISO8601Timestamp.parse(string) { return Date(timeIntervalSince1970: seconds) }
            throw corrupted("expected Date, found string \(value.excerpt()), which is not an ISO-8601 timestamp")
        case .int, .bigInteger, .double:
            return Date(timeIntervalSince1970: try double())
        default:
            throw ValueDecoder.mismatch("Date", value, codingPath)
        }
    }

    func data() throws -> Data {
        let string = try string()
        if let data = Data(base64Encoded: string) { return data }
        throw corrupted("expected Data, found string \(value.excerpt()), which is not base64")
    }

    func url() throws -> URL {
        if case .string(let string) = value, let url = URL(string: string) { return url }
        if case .string = value {
            throw corrupted("expected URL, found string \(value.excerpt()), which is not a URL")
        }
        throw ValueDecoder.mismatch("URL", value, codingPath)
    }

    // MARK: - Errors

    /// A type mismatch (or `valueNotFound` for null), hinting when lax decoding would have succeeded.
    private func mismatch<T>(_ type: T.Type, retryingLax: (ValueDecoder) throws -> T) -> DecodingError {
        var error = ValueDecoder.mismatch("\(T.self)", value, codingPath, type: T.self)
        if !options.lax {
            var laxOptions = options
            laxOptions.lax = true
            if (try? retryingLax(ValueDecoder(value: value, codingPath: codingPath, options: laxOptions))) != nil,
                case .typeMismatch(let type, let context) = error
            {
                error = .typeMismatch(
                    type,
                    .init(codingPath: context.codingPath, debugDescription: context.debugDescription + " (lax decoding would convert it)"))
            }
        }
        return error
    }

    static func mismatch(
        _ expected: String, _ value: JSONValue, _ codingPath: [any CodingKey], type: Any.Type = JSONValue.self
    ) -> DecodingError {
        let description = "expected \(expected), found \(value.typeName)" + (value.isNull ? "" : " \(value.excerpt())")
        let context = DecodingError.Context(codingPath: codingPath, debugDescription: description)
        return value.isNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    private func outOfRange<T>(_ type: T.Type) -> DecodingError {
        corrupted("expected \(T.self), found \(value.typeName) \(value.excerpt()), which is out of range for \(T.self)")
    }

    private func corrupted(_ description: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: description))
    }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try bool() }
    func decode(_ type: String.Type) throws -> String { try string() }
    func decode(_ type: Double.Type) throws -> Double { try double() }
    func decode(_ type: Float.Type) throws -> Float { try float() }
    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let codingPath: [any CodingKey]
    let options: ValueDecoder.Options
    /// Built for large objects only, where a linear search per key would make decoding quadratic.
    private let index: [String: JSONValue]?

    init(object: JSONObject, codingPath: [any CodingKey], options: ValueDecoder.Options) {
        self.object = object
        self.codingPath = codingPath
        self.options = options
        self.index = object.count > 16 ? object.dictionary : nil
    }

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    private func lookup(_ key: Key) -> JSONValue? {
        if let index { return index[key.stringValue] }
        return object[key.stringValue]
    }

    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    private func decoder(for key: Key) throws -> ValueDecoder {
        guard let value = lookup(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return ValueDecoder(value: value, codingPath: codingPath + [key], options: options)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try decoder(for: key).value.isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder(for: key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder(for: key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder(for: key).double() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder(for: key).float() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder(for: key).integer(Int.self) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder(for: key).integer(Int8.self) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder(for: key).integer(Int16.self) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder(for: key).integer(Int32.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder(for: key).integer(Int64.self) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder(for: key).integer(UInt.self) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder(for: key).integer(UInt8.self) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder(for: key).integer(UInt16.self) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder(for: key).integer(UInt32.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder(for: key).integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder(for: key).decode(T.self) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = lookup(key), !value.isNull else { return nil }
        return try ValueDecoder(value: value, codingPath: codingPath + [key], options: options).decode(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: object["super"] ?? .null, codingPath: codingPath + [JSONCodingKey.superKey], options: options)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: lookup(key) ?? .null, codingPath: codingPath + [key], options: options)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    let options: ValueDecoder.Options
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey], options: ValueDecoder.Options) {
        self.elements = elements
        self.codingPath = codingPath
        self.options = options
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// A decoder for the current element, moving past it.
    private mutating func next<T>(_ type: T.Type) throws -> ValueDecoder {
        let key = JSONCodingKey(intValue: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                T.self,
                .init(
                    codingPath: codingPath + [key],
                    debugDescription: "expected \(T.self), found the end of an array of \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: elements[currentIndex], codingPath: codingPath + [key], options: options)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            _ = try next(Never.self)
            return false
        }
        if elements[currentIndex].isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).bool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).double() }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type).float() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).integer(Int.self) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type).integer(Int8.self) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type).integer(Int16.self) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type).integer(Int32.self) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).integer(Int64.self) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type).integer(UInt.self) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type).integer(UInt8.self) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type).integer(UInt16.self) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type).integer(UInt32.self) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type).integer(UInt64.self) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decode(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(JSONObject.self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([JSONValue].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try next(JSONValue.self)
    }
}
