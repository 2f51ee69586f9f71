/// Serialises ``JSONValue`` to UTF-8 bytes.
///
/// The default ``Style-swift.struct/python`` style is byte-identical to Python's
/// `json.dumps(value, ensure_ascii=True)`, which is what taskiq's default serializer puts on the wire:
/// ```swift
/// let bytes = JSONWriter().serialize(["args": [1, 2], "kwargs": ["b": "é"]])
/// // {"args": [1, 2], "kwargs": {"b": "\u00e9"}}
/// ```
/// Use ``Style-swift.struct/compact`` for the separator-free form of taskiq's `JSONFormatter`.
///
/// Values nest by recursion, so a value nested tens of thousands deep can exhaust the stack;
/// anything ``JSONParser`` produces is well within bounds.
public struct JSONWriter: Sendable {
    /// How output is laid out and escaped.
    public struct Style: Sendable, Hashable {
        /// Whether a space follows each `,` and `:` (Python's default separators `", "` and `": "`).
        public var spacedSeparators: Bool
        /// Whether every non-ASCII character (and DEL) is escaped as `\uXXXX`, astral characters as a
        /// surrogate pair, as Python's `ensure_ascii=True` does. Otherwise UTF-8 passes through.
        public var asciiOnly: Bool
        /// Whether non-finite doubles are written as Python writes them (`NaN`, `Infinity`, `-Infinity`),
        /// which is not JSON but is what Python producers send. Otherwise they are written as `null`,
        /// as pydantic's JSON output does.
        public var nonFiniteAsLiterals: Bool

        /// Creates a style.
        ///
        /// - Parameters:
        ///   - spacedSeparators: Whether a space follows each `,` and `:`.
        ///   - asciiOnly: Whether non-ASCII characters are escaped.
        ///   - nonFiniteAsLiterals: Whether non-finite doubles are written as `NaN`/`Infinity` rather than `null`.
        public init(spacedSeparators: Bool, asciiOnly: Bool, nonFiniteAsLiterals: Bool) {
            self.spacedSeparators = spacedSeparators
            self.asciiOnly = asciiOnly
            self.nonFiniteAsLiterals = nonFiniteAsLiterals
        }

        /// Python's `json.dumps(value)`: `", "` and `": "`, ASCII only, `NaN`/`Infinity` for non-finite numbers.
        public static let python = Style(spacedSeparators: true, asciiOnly: true, nonFiniteAsLiterals: true)
        /// No spaces, UTF-8 unescaped, `null` for non-finite numbers.
        public static let compact = Style(spacedSeparators: false, asciiOnly: false, nonFiniteAsLiterals: false)
        /// No spaces, with non-ASCII characters escaped or not.
        ///
        /// - Parameter asciiOnly: Whether non-ASCII characters are escaped as `\uXXXX`.
        public static func compact(asciiOnly: Bool) -> Style {
            Style(spacedSeparators: false, asciiOnly: asciiOnly, nonFiniteAsLiterals: false)
        }
    }

    /// How output is laid out and escaped.
    public var style: Style

    /// Creates a writer.
    ///
    /// - Parameter style: How output is laid out and escaped; Python's `json.dumps` layout by default.
    public init(style: Style = .python) { self.style = style }

    /// Serialises a value to a new byte array.
    public func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(value, into: &out)
        return out
    }

    /// Appends the serialisation of a value to a byte buffer.
    ///
    /// - Parameters:
    ///   - value: The value to write.
    ///   - out: The buffer to append to.
    public func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
        case .bool(true):
            out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])  // true
        case .bool(false):
            out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])  // false
        case .int(let int):
            NumberFormatting.appendInt(int, to: &out)
        case .bigInteger(let big):
            out.append(contentsOf: big.description.utf8)
        case .double(let double):
            writeDouble(double, into: &out)
        case .string(let string):
            writeString(string, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { writeSeparator(UInt8(ascii: ","), into: &out) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for index in object.indices {
                if index > 0 { writeSeparator(UInt8(ascii: ","), into: &out) }
                let entry = object[index]
                writeString(entry.key, into: &out)
                writeSeparator(UInt8(ascii: ":"), into: &out)
                write(entry.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    func writeSeparator(_ separator: UInt8, into out: inout [UInt8]) {
        out.append(separator)
        if style.spacedSeparators { out.append(UInt8(ascii: " ")) }
    }

    private func writeDouble(_ double: Double, into out: inout [UInt8]) {
        if double.isFinite {
            NumberFormatting.appendPythonFloat(double, to: &out)
        } else if !style.nonFiniteAsLiterals {
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
        } else if double.isNaN {
            out.append(contentsOf: Array("NaN".utf8))
        } else {
            out.append(contentsOf: Array((double < 0 ? "-Infinity" : "Infinity").utf8))
        }
    }

    func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            let asciiOnly = style.asciiOnly
            var runStart = 0
            var k = 0
            while k < utf8.count {
                let byte = utf8[k]
                if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte < 0x7F || !asciiOnly {
                    k += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case ..<0x80:
                    Self.appendUnicodeEscape(UInt16(byte), to: &out)
                default:
                    let (scalar, length) = Self.decodeScalar(utf8, at: k)
                    if scalar >= 0x10000 {
                        let offset = scalar - 0x10000
                        Self.appendUnicodeEscape(UInt16(0xD800 + offset >> 10), to: &out)
                        Self.appendUnicodeEscape(UInt16(0xDC00 + offset & 0x3FF), to: &out)
                    } else {
                        Self.appendUnicodeEscape(UInt16(scalar), to: &out)
                    }
                    k += length - 1
                }
                k += 1
                runStart = k
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `\uXXXX` in lowercase hex, as Python does.
    static func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        out.append(hexDigits[Int(unit >> 12)])
        out.append(hexDigits[Int(unit >> 8 & 0xF)])
        out.append(hexDigits[Int(unit >> 4 & 0xF)])
        out.append(hexDigits[Int(unit & 0xF)])
    }

    /// Decodes the scalar starting at `index` in well-formed UTF-8 (a Swift string's bytes).
    static func decodeScalar(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: UInt32, length: Int) {
        let lead = UInt32(utf8[index])
        if lead < 0xE0 {
            return ((lead & 0x1F) << 6 | UInt32(utf8[index + 1] & 0x3F), 2)
        } else if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(utf8[index + 1] & 0x3F) << 6 | UInt32(utf8[index + 2] & 0x3F), 3)
        }
        let scalar =
            (lead & 0x07) << 18 | UInt32(utf8[index + 1] & 0x3F) << 12
            | UInt32(utf8[index + 2] & 0x3F) << 6 | UInt32(utf8[index + 3] & 0x3F)
        return (scalar, 4)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Serialises the value.
    ///
    /// - Parameter style: How output is laid out and escaped; Python's `json.dumps` layout by default.
    /// - Returns: UTF-8 JSON text.
    public func serialized(style: JSONWriter.Style = .python) -> [UInt8] {
        JSONWriter(style: style).serialize(self)
    }

    /// The value as compact JSON text, e.g. `{"a":[1,2.5,null]}`.
    public var description: String {
        String(decoding: serialized(style: .compact), as: UTF8.self)
    }

    /// The value as an error message or a log line names it: compact JSON, with a non-finite
    /// number as Python writes it (`NaN`, `Infinity`, `-Infinity`; `1e400` reads as `Infinity`)
    /// where ``description`` writes `null`, cut to `limit` characters (the last three `...`).
    package func excerpt(limit: Int = 60) -> String {
        let style = JSONWriter.Style(spacedSeparators: false, asciiOnly: false, nonFiniteAsLiterals: true)
        let text = String(decoding: serialized(style: style), as: UTF8.self)
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 3))) + "..."
    }
}
