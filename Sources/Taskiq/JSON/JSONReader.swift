/// The parsing state machine behind ``JSONParser``: a cursor over a byte buffer and an explicit stack.
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let count: Int
    private let maximumDepth: Int
    private let maximumInputSize: Int
    private let allowNonFinite: Bool
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, parser: JSONParser) {
        self.bytes = bytes
        self.count = bytes.count
        self.maximumDepth = parser.maximumDepth
        self.maximumInputSize = parser.maximumInputSize
        self.allowNonFinite = parser.allowNonFinite
    }

    private enum Container { case array, object }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        try checkInputSize()
        let value = try parseValue(depth: 0)
        try expectEnd()
        return value
    }

    /// Parses a document that is an object member by member, handing each key (its UTF-8, with
    /// escapes decoded) and value to `visit` instead of building the object. Accepts and rejects
    /// exactly what ``parseDocument()`` does for an object; returns `false`, having read nothing,
    /// when the document is not an object.
    mutating func forEachMember(
        _ visit: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void
    ) throws(JSONParseError) -> Bool {
        try checkInputSize()
        skipWhitespace()
        guard i < count, bytes[i] == UInt8(ascii: "{") else { return false }
        let open = i
        i += 1
        skipWhitespace()
        if i < count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            try expectEnd()
            return true
        }
        try checkDepth(1, at: open)
        var expected = "a string key or '}'"
        while true {
            let key = try parseMemberKey(expected: expected)
            let value = try parseValue(depth: 1, expected: "a value after ':'")
            switch key {
            case .inInput(let range): visit(UnsafeBufferPointer(rebasing: bytes[range]), value)
            case .decoded(var decoded): decoded.withUTF8 { visit($0, value) }
            }
            skipWhitespace()
            if i < count, bytes[i] == UInt8(ascii: ",") {
                i += 1
                expected = "a string key after ','"
                continue
            }
            guard i < count, bytes[i] == UInt8(ascii: "}") else {
                throw unexpected(expected: "',' or '}' after object member")
            }
            i += 1
            try expectEnd()
            return true
        }
    }

    private func checkInputSize() throws(JSONParseError) {
        guard count <= maximumInputSize else {
            throw JSONParseError(
                code: .inputTooLarge, offset: 0, line: 1, column: 1,
                message: "input of \(count) bytes exceeds the maximum of \(maximumInputSize) bytes")
        }
    }

    /// Allows whitespace after the document's value, and nothing else.
    private mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        guard i == count else {
            throw unexpected(.trailingCharacters, expected: "the end of input after the value")
        }
    }

    /// Parses one value at the cursor, inside `depth` enclosing arrays and objects; `expected`
    /// names what is missing when no value is there.
    private mutating func parseValue(depth: Int, expected first: String = "a value") throws(JSONParseError) -> JSONValue {
        // Separate stacks, so appending to the innermost container mutates it in place.
        var containers: [Container] = []
        var arrays: [[JSONValue]] = []
        var objects: [[JSONObject.Element]] = []
        var keys: [String] = []
        var expected = first
        var value: JSONValue

        parseValue: while true {
            skipWhitespace()
            guard i < count else { throw unexpected(.unexpectedEndOfInput, expected: expected) }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                let open = i
                i += 1
                skipWhitespace()
                if i < count, bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    value = .object(JSONObject())
                } else {
                    try checkDepth(depth + containers.count + 1, at: open)
                    keys.append(try parseKey(expected: "a string key or '}'"))
                    containers.append(.object)
                    objects.append([])
                    expected = "a value after ':'"
                    continue parseValue
                }
            case UInt8(ascii: "["):
                let open = i
                i += 1
                skipWhitespace()
                if i < count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    value = .array([])
                } else {
                    try checkDepth(depth + containers.count + 1, at: open)
                    containers.append(.array)
                    arrays.append([])
                    expected = "a value or ']'"
                    continue parseValue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumber()
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "N") where allowNonFinite:
                try expectLiteral("NaN")
                value = .double(.nan)
            case UInt8(ascii: "I") where allowNonFinite:
                try expectLiteral("Infinity")
                value = .double(.infinity)
            default:
                throw unexpected(.unexpectedCharacter, expected: expected)
            }

            // Hand the finished value to the enclosing containers, closing any that end here.
            while let container = containers.last {
                skipWhitespace()
                switch container {
                case .array:
                    arrays[arrays.count - 1].append(value)
                    if i < count, bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        expected = "a value after ','"
                        continue parseValue
                    }
                    guard i < count, bytes[i] == UInt8(ascii: "]") else {
                        throw unexpected(expected: "',' or ']' after array element")
                    }
                    i += 1
                    containers.removeLast()
                    value = .array(arrays.removeLast())
                case .object:
                    objects[objects.count - 1].append((key: keys.removeLast(), value: value))
                    if i < count, bytes[i] == UInt8(ascii: ",") {
                        i += 1
                        keys.append(try parseKey(expected: "a string key after ','"))
                        expected = "a value after ':'"
                        continue parseValue
                    }
                    guard i < count, bytes[i] == UInt8(ascii: "}") else {
                        throw unexpected(expected: "',' or '}' after object member")
                    }
                    i += 1
                    containers.removeLast()
                    value = .object(Self.makeObject(objects.removeLast()))
                }
            }
            return value
        }
    }

    // MARK: - Pieces

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    private func checkDepth(_ depth: Int, at offset: Int) throws(JSONParseError) {
        if depth > maximumDepth {
            throw error(.tooDeep, at: offset, "arrays and objects nested deeper than the maximum depth of \(maximumDepth)")
        }
    }

    /// Parses `"key"` and the `:` after it.
    private mutating func parseKey(expected: String) throws(JSONParseError) -> String {
        switch try parseMemberKey(expected: expected) {
        case .inInput(let range): String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        case .decoded(let key): key
        }
    }

    /// An object key: its UTF-8 in the input when it has no escape, otherwise decoded.
    private enum MemberKey {
        case inInput(Range<Int>)
        case decoded(String)
    }

    /// Reads an object key and the `:` after it; `expected` names what is missing when no key is
    /// there. A key without escapes is left in the input (no `String` made).
    private mutating func parseMemberKey(expected: String) throws(JSONParseError) -> MemberKey {
        skipWhitespace()
        guard i < count, bytes[i] == UInt8(ascii: "\"") else {
            throw unexpected(expected: expected)
        }
        let start = i + 1
        let key: MemberKey
        if let range = try scanPlainString() {
            key = .inInput(range)
        } else {
            key = .decoded(try parseEscapedString(from: start))
        }
        skipWhitespace()
        guard i < count, bytes[i] == UInt8(ascii: ":") else {
            throw unexpected(expected: "':' after object key")
        }
        i += 1
        return key
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = i
        let utf8 = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in utf8 {
            guard i < count, bytes[i] == byte else {
                let text = "\(literal)"
                if i == start { throw unexpected(expected: "'\(text)'") }
                throw unexpected(expected: "'\(text)' (the rest of a literal)")
            }
            i += 1
        }
    }

    /// Builds an object, letting a repeated key keep its first position and take its last value.
    private static func makeObject(_ entries: [JSONObject.Element]) -> JSONObject {
        var hasDuplicates = false
        if entries.count <= 12 {
            outer: for a in 1..<max(entries.count, 1) {
                for b in 0..<a where entries[a].key == entries[b].key {
                    hasDuplicates = true
                    break outer
                }
            }
        } else {
            var seen = Set<String>(minimumCapacity: entries.count)
            for entry in entries where !seen.insert(entry.key).inserted {
                hasDuplicates = true
                break
            }
        }
        guard hasDuplicates else { return JSONObject(uncheckedUniqueEntries: entries) }
        var positions: [String: Int] = [:]
        var unique: [JSONObject.Element] = []
        for entry in entries {
            if let position = positions[entry.key] {
                unique[position].value = entry.value
            } else {
                positions[entry.key] = unique.count
                unique.append(entry)
            }
        }
        return JSONObject(uncheckedUniqueEntries: unique)
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = i
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative {
            i += 1
            if allowNonFinite, i < count, bytes[i] == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return .double(-.infinity)
            }
        }
        guard i < count, isDigit(bytes[i]) else {
            throw unexpected(.invalidNumber, expected: "a digit after '-'")
        }

        // Up to 19 digits fit in UInt64 exactly; beyond that the slow path takes over.
        var mantissa: UInt64 = 0
        var digits = 0
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < count, isDigit(bytes[i]) {
                throw error(.invalidNumber, at: i, "leading zeros are not allowed in numbers; found \(found(at: i)) after '0'")
            }
        } else {
            while i < count, isDigit(bytes[i]) {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30) }
                digits += 1
                i += 1
            }
        }

        var isInteger = true
        var fractionDigits = 0
        if i < count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < count, isDigit(bytes[i]) else {
                throw unexpected(.invalidNumber, expected: "a digit after '.'")
            }
            while i < count, isDigit(bytes[i]) {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
                    fractionDigits += 1
                }
                if mantissa != 0 { digits += 1 }
                i += 1
            }
        }

        var exponent = 0
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, isDigit(bytes[i]) else {
                throw unexpected(.invalidNumber, expected: "a digit in the exponent")
            }
            while i < count, isDigit(bytes[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[i] &- 0x30) }
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }

        if isInteger {
            if digits <= 19 {
                if !negative, mantissa <= UInt64(Int.max) { return .int(Int(mantissa)) }
                if negative, mantissa <= UInt64(Int.max) + 1 { return .int(Int(truncatingIfNeeded: 0 &- mantissa)) }
            }
            // Python's json reads integers of any size exactly, so a Python producer may send 2**64.
            guard digits <= Self.maximumIntegerDigits else {
                throw error(
                    .numberOutOfRange, at: start,
                    "integer of \(digits) digits exceeds the limit of \(Self.maximumIntegerDigits) digits (Python's default int_max_str_digits)"
                )
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            return .bigInteger(JSONBigInteger(normalizedDigits: text))
        }

        var result: Double
        let decimalExponent = exponent - fractionDigits
        if digits <= 19, mantissa <= 1 << 53, decimalExponent >= -22, decimalExponent <= 22 {
            // Clinger's fast path: both operands are exact, so one rounding gives the right answer.
            result = Double(mantissa)
            if decimalExponent < 0 {
                result /= Self.powersOfTen[-decimalExponent]
            } else {
                result *= Self.powersOfTen[decimalExponent]
            }
            if negative { result = -result }
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            result = Double(text) ?? (negative ? -.infinity : .infinity)
        }
        if !result.isFinite, !allowNonFinite {
            throw error(.numberOutOfRange, at: start, "number is too large for a 64-bit float")
        }
        return .double(result)
    }

    /// The most digits an integer may have: Python 3.11+'s default `sys.int_info.default_max_str_digits`,
    /// beyond which Python's own `json.loads` refuses an integer too.
    static let maximumIntegerDigits = 4300

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    // MARK: - Strings

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = i + 1
        guard let range = try scanPlainString() else { return try parseEscapedString(from: start) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Scans the string whose opening quote is at the cursor, checking its UTF-8. Without escapes,
    /// returns the range of its contents and leaves the cursor past the closing quote; at the
    /// first backslash, returns `nil` with the cursor on it, for ``parseEscapedString(from:)``.
    private mutating func scanPlainString() throws(JSONParseError) -> Range<Int>? {
        i += 1
        let start = i
        while i < count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return start..<(i - 1)
            } else if byte == UInt8(ascii: "\\") {
                return nil
            } else if byte < 0x20 {
                throw controlCharacter()
            } else if byte < 0x80 {
                i += 1
            } else {
                i += try validateScalar()
            }
        }
        throw unexpected(.unexpectedEndOfInput, expected: "'\"' to end the string")
    }

    /// The slow path for strings with escapes: copies into a buffer from `start`.
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(i - start + 16)
        buffer.append(contentsOf: bytes[start..<i])
        while i < count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: buffer, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try parseEscape(into: &buffer)
            } else if byte < 0x20 {
                throw controlCharacter()
            } else if byte < 0x80 {
                buffer.append(byte)
                i += 1
            } else {
                let length = try validateScalar()
                buffer.append(contentsOf: bytes[i..<i + length])
                i += length
            }
        }
        throw unexpected(.unexpectedEndOfInput, expected: "'\"' to end the string")
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = i
        i += 1
        guard i < count else { throw unexpected(.unexpectedEndOfInput, expected: "an escape character after '\\'") }
        let simple: UInt8
        switch bytes[i] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            i += 1
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard i + 1 < count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                    throw error(
                        .loneSurrogate, at: escapeStart,
                        "unpaired high surrogate \(escapeText(scalar)); expected a low surrogate escape \\uDC00-\\uDFFF to follow")
                }
                let lowStart = i
                i += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(
                        .loneSurrogate, at: lowStart,
                        "expected a low surrogate escape \\uDC00-\\uDFFF after \(escapeText(scalar)), found \(escapeText(low))")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error(
                    .loneSurrogate, at: escapeStart,
                    "unpaired low surrogate \(escapeText(scalar)); a high surrogate escape \\uD800-\\uDBFF must come first")
            }
            appendUTF8(scalar, to: &buffer)
            return
        default:
            throw unexpected(.invalidEscape, expected: "one of '\"', '\\', '/', 'b', 'f', 'n', 'r', 't' or 'u' after '\\'")
        }
        buffer.append(simple)
        i += 1
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < count else { throw unexpected(.unexpectedEndOfInput, expected: "4 hex digits after '\\u'") }
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x37
            default: throw unexpected(.invalidEscape, expected: "4 hex digits after '\\u'")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    private func escapeText(_ unit: UInt32) -> String {
        let hex = String(unit, radix: 16, uppercase: false)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            buffer.append(UInt8(scalar))
        case ..<0x800:
            buffer.append(UInt8(0xC0 | scalar >> 6))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            buffer.append(UInt8(0xE0 | scalar >> 12))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalar >> 18))
            buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Checks the multi-byte UTF-8 sequence at `i` and returns its length, without moving.
    private func validateScalar() throws(JSONParseError) -> Int {
        guard let length = Self.scalarLength(in: bytes, at: i) else {
            throw error(.invalidUTF8, at: i, "invalid UTF-8 in string: \(found(at: i))")
        }
        return length
    }

    /// The length of the well-formed UTF-8 sequence at `index`, or `nil` if it is malformed.
    private static func scalarLength(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00..<0x80: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xED:
            length = 3
            high = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF4:
            length = 4
            high = 0x8F
        case 0xF1...0xF3: length = 4
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        let second = bytes[index + 1]
        guard second >= low, second <= high else { return nil }
        for k in 2..<max(length, 2) where bytes[index + k] & 0xC0 != 0x80 { return nil }
        return length
    }

    // MARK: - Errors

    private func controlCharacter() -> JSONParseError {
        error(.controlCharacterInString, at: i, "unescaped \(found(at: i)) in string; control characters must be escaped")
    }

    private func unexpected(_ code: JSONParseError.Code = .unexpectedCharacter, expected: String) -> JSONParseError {
        let code = i >= count && code == .unexpectedCharacter ? .unexpectedEndOfInput : code
        return error(code, at: i, "expected \(expected), found \(found(at: i))")
    }

    /// A readable name for the character at `index`.
    private func found(at index: Int) -> String {
        guard index < count else { return "end of input" }
        let byte = bytes[index]
        switch byte {
        case 0x20: return "' '"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x00..<0x20, 0x7F: return "control character U+\(hex4(UInt32(byte)))"
        default:
            guard let length = Self.scalarLength(in: bytes, at: index) else {
                return "byte 0x\(String(byte, radix: 16, uppercase: true))"
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + length]), as: UTF8.self)
            let scalar = text.unicodeScalars.first!.value
            return "'\(text)' (U+\(hex4(scalar)))"
        }
    }

    private func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private func error(_ code: JSONParseError.Code, at offset: Int, _ message: String) -> JSONParseError {
        var line = 1
        var column = 1
        for index in 0..<min(offset, count) {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(code: code, offset: offset, line: line, column: column, message: message)
    }
}
