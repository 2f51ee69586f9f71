/// Parses UTF-8 JSON text into ``JSONValue``, strictly by RFC 8259.
///
/// The parser rejects what Python's `json.loads` would quietly accept or what other parsers vary on:
/// trailing commas, comments, leading zeros, unescaped control characters, invalid UTF-8 and
/// unpaired surrogate escapes such as `"\ud800"`. Integers that fit in `Int` become ``JSONValue/int(_:)``,
/// larger ones ``JSONValue/bigInteger(_:)`` with every digit kept (up to 4,300 digits, Python's own
/// limit); numbers with a fraction or an exponent become ``JSONValue/double(_:)``, so `1.0` stays a
/// float. A repeated key keeps its first position and takes its last value, as a Python `dict` does.
///
/// Nesting is handled with an explicit stack, so deep input fails with ``JSONParseError`` with code `.tooDeep`
/// instead of exhausting the call stack.
///
/// ```swift
/// let value = try JSONParser().parse(#"{"args": [1, 2], "kwargs": {}}"#)
/// ```
public struct JSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted; 512 by default.
    ///
    /// The parser needs no recursion, but releasing, comparing and writing a ``JSONValue`` do,
    /// so raise this only as far as those can go on the threads that will use the result.
    public var maximumDepth: Int
    /// The longest input accepted, in bytes; 64 MiB by default.
    public var maximumInputSize: Int
    /// Whether `NaN`, `Infinity` and `-Infinity` are accepted, as Python's `json.dumps` writes them
    /// for non-finite floats. Off by default because they are not JSON. When on, floats too large
    /// for a `Double` (`1e400`) become infinity, as in Python; when off they are an error
    /// (``JSONParseError`` with code `.numberOutOfRange`) rather than a silent infinity.
    public var allowNonFinite: Bool

    /// Creates a parser.
    ///
    /// - Parameters:
    ///   - maximumDepth: The deepest nesting of arrays and objects accepted.
    ///   - maximumInputSize: The longest input accepted, in bytes.
    ///   - allowNonFinite: Whether `NaN`, `Infinity` and `-Infinity` are accepted.
    public init(maximumDepth: Int = 512, maximumInputSize: Int = 64 << 20, allowNonFinite: Bool = false) {
        self.maximumDepth = maximumDepth
        self.maximumInputSize = maximumInputSize
        self.allowNonFinite = allowNonFinite
    }

    /// Parses one JSON value from raw UTF-8 bytes; whitespace may follow it, nothing else.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withMemoryRebound(to: UInt8.self) { buffer in
            var reader = JSONReader(buffer, parser: self)
            return Result { () throws(JSONParseError) in try reader.parseDocument() }
        }
        return try result.get()
    }

    /// Parses one JSON value from UTF-8 bytes; whitespace may follow it, nothing else.
    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try parse(raw) }
        }
        return try result.get()
    }

    /// Parses a document that is an object member by member, handing each key (its UTF-8, with
    /// escapes decoded) and value to `visit` in order, without building the object: what a decoder
    /// that keeps only some members needs. A repeated key is visited each time.
    ///
    /// Accepts and rejects exactly the documents ``parse(_:)-([UInt8])`` does when they are objects
    /// (a rejected one may have had some members visited).
    /// - Returns: `false`, having visited nothing, when the document is not an object.
    package func forEachMember(
        of bytes: [UInt8], _ visit: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void
    ) throws(JSONParseError) -> Bool {
        let result: Result<Bool, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer, parser: self)
            return Result { () throws(JSONParseError) in try reader.forEachMember(visit) }
        }
        return try result.get()
    }

    /// Parses one JSON value from any collection of UTF-8 bytes, such as `ArraySlice<UInt8>` or `Data`.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let contiguous: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        if let contiguous { return try contiguous.get() }
        return try parse(Array(bytes))
    }

    /// Parses one JSON value from a string.
    public func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        var string = string
        let result: Result<JSONValue, JSONParseError> = string.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}

extension JSONValue {
    /// Parses UTF-8 JSON text with the default ``JSONParser``.
    ///
    /// - Parameter bytes: The UTF-8 bytes of one JSON value.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        self = try JSONParser().parse(bytes)
    }

    /// Parses JSON text with the default ``JSONParser``.
    ///
    /// - Parameter string: The text of one JSON value.
    public init(parsing string: String) throws(JSONParseError) {
        self = try JSONParser().parse(string)
    }
}
