import Testing

@testable import Taskiq

@Suite struct JSONWriterTests {
    /// Expected strings computed with CPython 3: `repr(float)`.
    @Test(arguments: [
        (0.1, "0.1"),
        (1.0 / 3.0, "0.3333333333333333"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (123456789012345678.0, "1.2345678901234568e+17"),
        (1e-4, "0.0001"),
        (1e-5, "1e-05"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-0.0, "-0.0"),
        (2.5, "2.5"),
        (4.601290793228919, "4.601290793228919"),
        (100.0, "100.0"),
        (0.0, "0.0"),
        (1.5e300, "1.5e+300"),
        (-1e-7, "-1e-07"),
        (9007199254740993.0, "9007199254740992.0"),
        (0.30000000000000004, "0.30000000000000004"),
        (1e22, "1e+22"),
        (1e23, "1e+23"),
        (123.456, "123.456"),
        (9999999999999998.0, "9999999999999998.0"),
        (0.00012345, "0.00012345"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (1e100, "1e+100"),
        (-123456.789, "-123456.789"),
    ])
    func doublesPrintAsPythonRepr(value: Double, expected: String) {
        #expect(String(decoding: JSONValue.double(value).serialized(), as: UTF8.self) == expected)
        #expect(JSONValue.double(value).pythonRepr == expected)
    }

    @Test(arguments: [0, 7, -7, 10, 99, 100, -100, Int.max, Int.min, 1_234_567_890])
    func integersPrintAsDecimal(value: Int) {
        #expect(String(decoding: JSONValue.int(value).serialized(), as: UTF8.self) == String(value))
    }

    static let sample: JSONValue = [
        "task_id": "abc",
        "kw": [
            "b": "é",
            "emoji": "😀",
            "ctl": "a\nb\tc\r\u{8}\u{c}\u{1}\u{1f}\u{7f}\"\\/",
            "nested": [1, 2.5, nil, true, false, ["x": []], [:]],
        ],
        "n": -42,
    ]

    /// Expected bytes computed with CPython 3: `json.dumps(sample)`.
    @Test func pythonStyleMatchesJSONDumps() {
        let expected =
            #"{"task_id": "abc", "kw": {"b": "\u00e9", "emoji": "\ud83d\ude00", "ctl": "a\nb\tc\r\b\f\u0001\u001f\u007f\"\\/", "nested": [1, 2.5, null, true, false, {"x": []}, {}]}, "n": -42}"#
        #expect(Self.sample.serialized(style: .python) == Array(expected.utf8))
    }

    /// Expected bytes computed with CPython 3: `json.dumps(sample, ensure_ascii=False, separators=(",", ":"))`.
    @Test func compactStylePassesUTF8Through() {
        let expected =
            #"{"task_id":"abc","kw":{"b":"é","emoji":"😀","ctl":"a\nb\tc\r\b\f\u0001\u001f"# + "\u{7f}"
            + #"\"\\/","nested":[1,2.5,null,true,false,{"x":[]},{}]},"n":-42}"#
        #expect(Self.sample.serialized(style: .compact) == Array(expected.utf8))
        #expect(Self.sample.description == expected)

        let ascii = #"{"b":"\u00e9\ud83d\ude00"}"#
        let value: JSONValue = ["b": "é😀"]
        #expect(value.serialized(style: .compact(asciiOnly: true)) == Array(ascii.utf8))
    }

    @Test func taskiqMessageMatchesReferenceBytes() {
        let message: JSONValue = [
            "task_id": "0123456789abcdef0123456789abcdef",
            "task_name": "exp11:add",
            "labels": ["priority": "5", "retry_on_error": "True", "delay": "1.5"],
            "labels_types": ["priority": 2, "retry_on_error": 5, "delay": 4],
            "args": [1],
            "kwargs": ["b": "é"],
        ]
        let expected =
            #"{"task_id": "0123456789abcdef0123456789abcdef", "task_name": "exp11:add", "labels": {"priority": "5", "retry_on_error": "True", "delay": "1.5"}, "labels_types": {"priority": 2, "retry_on_error": 5, "delay": 4}, "args": [1], "kwargs": {"b": "\u00e9"}}"#
        #expect(message.serialized() == Array(expected.utf8))
    }

    @Test func nonFiniteDoublesFollowTheStyle() throws {
        let value: JSONValue = [.double(.nan), .double(.infinity), .double(-.infinity)]
        #expect(String(decoding: value.serialized(style: .python), as: UTF8.self) == "[NaN, Infinity, -Infinity]")
        #expect(value.description == "[null,null,null]")
        let reparsed = try JSONParser(allowNonFinite: true).parse(value.serialized(style: .python))
        #expect(reparsed.arrayValue?[1] == .double(.infinity))
    }

    @Test func roundTripsThroughTheParser() throws {
        for style in [JSONWriter.Style.python, .compact, .compact(asciiOnly: true)] {
            let bytes = Self.sample.serialized(style: style)
            let reparsed = try JSONValue(parsing: bytes)
            #expect(reparsed == Self.sample)
            #expect(reparsed.serialized(style: style) == bytes)
        }
        let numbers: JSONValue = [0.1, 1e-05, 1e16, 5e-300, -0.0, 4.601290793228919, .int(.min)]
        #expect(try JSONValue(parsing: numbers.serialized()) == numbers)
    }

    @Test func writeAppendsToAnExistingBuffer() {
        var buffer = Array("prefix:".utf8)
        JSONWriter(style: .compact).write(["a": 1], into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:{"a":1}"#)
    }
}
