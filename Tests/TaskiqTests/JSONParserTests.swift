import Testing

@testable import Taskiq

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #" {"a": [1, -2, 2.5, -0, -0.0, 1e2, true, false, null], "b": {"c": "d"}, "": []} "#)
        let expected: JSONValue = [
            "a": [1, -2, 2.5, 0, .double(-0.0), 100.0, true, false, nil],
            "b": ["c": "d"],
            "": [],
        ]
        #expect(value == expected)
        #expect(value.objectValue?.keys == ["a", "b", ""])
        if case .double(let negativeZero) = value.objectValue?["a"]?.arrayValue?[4] {
            #expect(negativeZero.sign == .minus)
        } else {
            Issue.record("-0.0 should parse as a double")
        }
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("9223372036854775807", .int(Int.max)),
        ("-9223372036854775808", .int(Int.min)),
        ("9223372036854775808", .bigInteger(JSONBigInteger("9223372036854775808")!)),
        ("12345678901234567890123", .bigInteger(JSONBigInteger("12345678901234567890123")!)),
        ("1.5", .double(1.5)),
        ("1E3", .double(1000)),
        ("1e-5", .double(1e-05)),
        ("0.1", .double(0.1)),
        ("4.601290793228919", .double(4.601290793228919)),
        ("1.7976931348623157e308", .double(1.7976931348623157e308)),
        ("5e-324", .double(.leastNonzeroMagnitude)),
        ("2.2250738585072014e-308", .double(2.2250738585072014e-308)),
        ("0.30000000000000004", .double(0.30000000000000004)),
        ("123456789012345678901234567890e-10", .double(12345678901234567890.123456789)),
        ("1e-400", .double(0)),
    ])
    func parsesNumbers(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
    }

    @Test func parsesStringEscapesAndUnicode() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00é😀""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\té😀é😀"))
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value.objectValue?["a"] == 3)

        // Large objects take the hashing path.
        let members = (0..<40).map { #""k\#($0)": \#($0)"# } + [#""k7": "last""#]
        let large = try JSONValue(parsing: "{" + members.joined(separator: ",") + "}")
        #expect(large.objectValue?.count == 40)
        #expect(large.objectValue?.keys[7] == "k7")
        #expect(large.objectValue?["k7"] == "last")
    }

    @Test func acceptsNonFiniteOnlyWhenAllowed() throws {
        let lenient = JSONParser(allowNonFinite: true)
        let value = try lenient.parse("[NaN, Infinity, -Infinity, 1e400]")
        let numbers = value.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(numbers.count == 4)
        #expect(numbers[0].isNaN)
        #expect(numbers[1] == .infinity)
        #expect(numbers[2] == -.infinity)
        #expect(numbers[3] == .infinity)

        #expect(throws: JSONParseError.self) { try JSONParser().parse("NaN") }
        #expect(throws: JSONParseError.self) { try JSONParser().parse("-Infinity") }
        #expect(throws: JSONParseError.self) { try JSONParser().parse("1e400") }
    }

    @Test func parsesEveryInputKind() throws {
        let text = #"{"k": [1, "é"]}"#
        let expected = try JSONValue(parsing: text)
        let bytes = Array(text.utf8)
        #expect(try JSONParser().parse(bytes) == expected)
        #expect(try JSONParser().parse(bytes[...]) == expected)
        #expect(try bytes.withUnsafeBytes { try JSONParser().parse($0) } == expected)
        #expect(try JSONValue(parsing: bytes) == expected)
    }

    struct Malformed: Sendable, CustomStringConvertible {
        var input: String
        var code: JSONParseError.Code
        var line: Int
        var column: Int
        var message: String
        var description: String { input.debugDescription }
    }

    @Test(arguments: [
        Malformed(input: "", code: .unexpectedEndOfInput, line: 1, column: 1, message: "expected a value, found end of input"),
        Malformed(input: "[1, 2,]", code: .unexpectedCharacter, line: 1, column: 7, message: "expected a value after ',', found ']'"),
        Malformed(
            input: "{\"a\": 1,}", code: .unexpectedCharacter, line: 1, column: 9, message: "expected a string key after ',', found '}'"),
        Malformed(
            input: "{\n  \"a\": 1,\n  \"b\": 2 x}", code: .unexpectedCharacter, line: 3, column: 10,
            message: "expected ',' or '}' after object member, found 'x'"),
        Malformed(
            input: "[1 2]", code: .unexpectedCharacter, line: 1, column: 4, message: "expected ',' or ']' after array element, found '2'"),
        Malformed(input: "{\"a\" 1}", code: .unexpectedCharacter, line: 1, column: 6, message: "expected ':' after object key, found '1'"),
        Malformed(input: "{a: 1}", code: .unexpectedCharacter, line: 1, column: 2, message: "expected a string key or '}', found 'a'"),
        Malformed(
            input: "[1] // comment", code: .trailingCharacters, line: 1, column: 5,
            message: "expected the end of input after the value, found '/'"),
        Malformed(input: "/* c */ 1", code: .unexpectedCharacter, line: 1, column: 1, message: "expected a value, found '/'"),
        Malformed(
            input: "01", code: .invalidNumber, line: 1, column: 2, message: "leading zeros are not allowed in numbers; found '1' after '0'"),
        Malformed(input: "-", code: .invalidNumber, line: 1, column: 2, message: "expected a digit after '-', found end of input"),
        Malformed(input: "1.", code: .invalidNumber, line: 1, column: 3, message: "expected a digit after '.', found end of input"),
        Malformed(input: "1e+", code: .invalidNumber, line: 1, column: 4, message: "expected a digit in the exponent, found end of input"),
        Malformed(input: ".5", code: .unexpectedCharacter, line: 1, column: 1, message: "expected a value, found '.'"),
        Malformed(input: "+1", code: .unexpectedCharacter, line: 1, column: 1, message: "expected a value, found '+'"),
        Malformed(input: "NaN", code: .unexpectedCharacter, line: 1, column: 1, message: "expected a value, found 'N'"),
        Malformed(input: "1e400", code: .numberOutOfRange, line: 1, column: 1, message: "number is too large for a 64-bit float"),
        Malformed(
            input: "tru", code: .unexpectedEndOfInput, line: 1, column: 4,
            message: "expected 'true' (the rest of a literal), found end of input"),
        Malformed(
            input: "nul1", code: .unexpectedCharacter, line: 1, column: 4, message: "expected 'null' (the rest of a literal), found '1'"),
        Malformed(
            input: "\"a\tb\"", code: .controlCharacterInString, line: 1, column: 3,
            message: "unescaped control character U+0009 in string; control characters must be escaped"),
        Malformed(
            input: "\"abc", code: .unexpectedEndOfInput, line: 1, column: 5, message: "expected '\"' to end the string, found end of input"),
        Malformed(
            input: #""\x""#, code: .invalidEscape, line: 1, column: 3,
            message: #"expected one of '"', '\', '/', 'b', 'f', 'n', 'r', 't' or 'u' after '\', found 'x'"#),
        Malformed(input: #""\u12G4""#, code: .invalidEscape, line: 1, column: 6, message: #"expected 4 hex digits after '\u', found 'G'"#),
        Malformed(
            input: #""\ud800""#, code: .loneSurrogate, line: 1, column: 2,
            message: #"unpaired high surrogate \ud800; expected a low surrogate escape \uDC00-\uDFFF to follow"#),
        Malformed(
            input: #""\ud800\u0041""#, code: .loneSurrogate, line: 1, column: 8,
            message: #"expected a low surrogate escape \uDC00-\uDFFF after \ud800, found \u0041"#),
        Malformed(
            input: #""\udc00""#, code: .loneSurrogate, line: 1, column: 2,
            message: #"unpaired low surrogate \udc00; a high surrogate escape \uD800-\uDBFF must come first"#),
        Malformed(input: "[\"é\", x]", code: .unexpectedCharacter, line: 1, column: 7, message: "expected a value after ',', found 'x'"),
        Malformed(
            input: "[1]]", code: .trailingCharacters, line: 1, column: 4, message: "expected the end of input after the value, found ']'"),
        Malformed(input: "{\"a\": }", code: .unexpectedCharacter, line: 1, column: 7, message: "expected a value after ':', found '}'"),
        Malformed(input: "[", code: .unexpectedEndOfInput, line: 1, column: 2, message: "expected a value or ']', found end of input"),
        Malformed(input: "é", code: .unexpectedCharacter, line: 1, column: 1, message: "expected a value, found 'é' (U+00E9)"),
    ])
    func rejectsMalformedInput(_ malformed: Malformed) {
        do {
            let value = try JSONParser().parse(malformed.input)
            Issue.record("parsed \(value) from malformed input")
        } catch {
            #expect(error.code == malformed.code)
            #expect(error.line == malformed.line)
            #expect(error.column == malformed.column)
            #expect(error.message == malformed.message)
            #expect(error.description == "\(malformed.message) at line \(malformed.line), column \(malformed.column)")
        }
    }

    @Test(
        arguments: [
            ([0x22, 0xFF, 0x22], "invalid UTF-8 in string: byte 0xFF"),
            ([0x22, 0xC0, 0x80, 0x22], "invalid UTF-8 in string: byte 0xC0"),  // overlong NUL
            ([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 in string: byte 0xED"),  // encoded surrogate
            ([0x22, 0xE2, 0x82, 0x22], "invalid UTF-8 in string: byte 0xE2"),  // truncated
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 in string: byte 0xF4"),  // above U+10FFFF
        ] as [([UInt8], String)])
    func rejectsInvalidUTF8(bytes: [UInt8], message: String) {
        #expect {
            try JSONParser().parse(bytes)
        } throws: { error in
            let error = error as! JSONParseError
            return error.code == .invalidUTF8 && error.offset == 1 && error.message == message
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000)
        #expect {
            try JSONParser().parse(deep)
        } throws: { error in
            let error = error as! JSONParseError
            return error.code == .tooDeep && error.offset == 512
                && error.message == "arrays and objects nested deeper than the maximum depth of 512"
        }

        let atLimit = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSONParser().parse(atLimit).arrayValue != nil)

        // The parser itself has no recursion; the depth here is kept modest only because releasing
        // a deeply nested value is recursive in Swift.
        let generous = JSONParser(maximumDepth: 4_000)
        let nested = String(repeating: "{\"a\":[", count: 2_000) + String(repeating: "]}", count: 2_000)
        #expect(try generous.parse(nested).objectValue != nil)
    }

    @Test func inputSizeIsLimited() {
        #expect {
            try JSONParser(maximumInputSize: 4).parse("[1, 2]")
        } throws: { error in
            (error as! JSONParseError).code == .inputTooLarge
        }
    }
}
