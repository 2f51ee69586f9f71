#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif

/// Turns any `Encodable` into a ``JSONValue``, keeping the order in which keys are encoded.
///
/// Keyed containers become objects, unkeyed containers arrays. Foundation types take the forms
/// Python's pydantic reads: `Date` an ISO-8601 string with microseconds in UTC
/// (`2024-01-02T03:04:05.678000Z`), `Data` a base64 string, `URL` its absolute string.
/// Integers that do not fit in `Int` (large `UInt64` values) become doubles.
///
/// ```swift
/// struct Point: Codable { var x: Int; var y: Int }
/// let value = try JSONValueEncoder().encode(Point(x: 1, y: 2))  // {"x":1,"y":2}
/// ```
public struct JSONValueEncoder: Sendable {
    /// Values passed to `encode(to:)` implementations through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates an encoder.
    ///
    /// - Parameter userInfo: Values passed to `encode(to:)` implementations through `Encoder.userInfo`.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
    }

    /// Encodes a value.
    ///
    /// - Parameter value: The value to encode.
    /// - Returns: The value as JSON.
    /// - Throws: What the value's `encode(to:)` throws, or `EncodingError.invalidValue` if it encodes nothing.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if let primitive = ValueEncoder.primitive(value) { return primitive }
        let box = EncodingBox()
        try value.encode(to: ValueEncoder(box: box, codingPath: [], userInfo: userInfo))
        guard box.kind != .empty else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "top-level \(T.self) did not encode any values"))
        }
        return box.resolve()
    }
}

extension JSONValue {
    /// Encodes a value with a default ``JSONValueEncoder``, taking a shortcut for `Int`, `String`,
    /// `Double`, `Bool` and `JSONValue` itself.
    ///
    /// - Parameter value: The value to encode.
    public init(encoding value: some Encodable) throws {
        self = try JSONValueEncoder().encode(value)
    }
}
