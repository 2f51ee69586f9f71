/// Turns a ``JSONValue`` into any `Decodable`.
///
/// By default only JSON's own types are accepted, except that any number decodes as a floating-point
/// type and a number with an integral value (`5.0`) decodes as an integer type. With ``lax`` on, the
/// lossless conversions of pydantic's lax mode apply too, as taskiq's `cast_types` does:
///
/// | expected | also accepted when lax |
/// |---|---|
/// | integers | `"5"`, `" 5 "`, `"5.00"`; `true`/`false` as 1/0 |
/// | floating point | `"1.5"`, `"1e3"`; `true`/`false` as 1/0 |
/// | `Bool` | `0`/`1`; `"true"`, `"false"`, `"yes"`, `"no"`, `"on"`, `"off"`, `"t"`, `"f"`, `"y"`, `"n"`, `"1"`, `"0"` in any case |
///
/// Numbers never become strings, as in pydantic. `Date` decodes from an ISO-8601 string or a
/// number of seconds since 1970, `Data` from base64, `URL` from a string.
///
/// Errors are `DecodingError`s with the coding path of the bad value and a description naming the
/// expected Swift type and what was found, e.g. `expected Int, found string "abc"`.
public struct JSONValueDecoder: Sendable {
    /// Whether pydantic's lax conversions apply (strings to numbers and booleans, 0/1 to booleans).
    public var lax: Bool
    /// Values passed to `init(from:)` implementations through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - lax: Whether pydantic's lax conversions apply.
    ///   - userInfo: Values passed to `init(from:)` implementations through `Decoder.userInfo`.
    public init(lax: Bool = false, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.lax = lax
        self.userInfo = userInfo
    }

    /// Decodes a value of the given type.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - value: The JSON to decode from.
    /// - Throws: `DecodingError` saying where and why the value does not fit.
    public func decode<T: Decodable>(_ type: T.Type = T.self, from value: JSONValue) throws -> T {
        try ValueDecoder(value: value, codingPath: [], options: .init(lax: lax, userInfo: userInfo)).decode(T.self)
    }
}

extension JSONValue {
    /// Decodes the value as the given type, taking a shortcut for `Int`, `String`, `Double`, `Bool`
    /// and `JSONValue`.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - lax: Whether pydantic's lax conversions apply (see ``JSONValueDecoder``).
    /// - Throws: `DecodingError` saying where and why the value does not fit.
    public func decode<T: Decodable>(_ type: T.Type = T.self, lax: Bool = false) throws -> T {
        try ValueDecoder(value: self, codingPath: [], options: .init(lax: lax, userInfo: [:])).decode(T.self)
    }
}
