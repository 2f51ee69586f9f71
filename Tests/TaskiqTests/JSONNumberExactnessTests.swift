import Foundation
import Testing

@testable import Taskiq

/// Numbers survive parse → value → serialise exactly, as Python's `json` module writes them:
/// integers of any size keep every digit, `1.0` stays a float, `-0.0` keeps its sign.
@Suite struct JSONNumberExactnessTests {
    enum Kind: String, Sendable { case int, bigInteger, double, bool }

    static func kind(_ value: JSONValue) -> Kind? {
        switch value {
        case .int: .int
        case .bigInteger: .bigInteger
        case .double: .double
        case .bool: .bool
        default: nil
        }
    }

    /// Each text is what Python's `json.dumps` writes for the value, so it must come back byte for byte.
    @Test(arguments: [
        ("18446744073709551616", Kind.bigInteger),  // 2**64
        ("-1180591620717411303427", .bigInteger),  // -(2**70)-3
        ("9223372036854775807", .int),  // 2**63-1
        ("-9223372036854775808", .int),  // -(2**63)
        ("9223372036854775808", .bigInteger),  // 2**63
        ("-9223372036854775809", .bigInteger),  // -(2**63)-1
        ("18446744073709551615", .bigInteger),  // 2**64-1
        ("9999999999999999999", .bigInteger),  // 19 digits, above Int.max
        ("123456789012345678901234567890123456789012345678901234567890", .bigInteger),
        ("0", .int),
        ("1", .int),
        ("1.0", .double),
        ("-0.0", .double),
        ("1e+308", .double),
        ("1.7976931348623157e+308", .double),
        ("1e-05", .double),
        ("1e+16", .double),
        ("1.8446744073709552e+19", .double),  // float(2**64)
        ("true", .bool),
    ])
    func roundTripsByteForByte(text: String, kind: Kind) throws {
        let value = try JSONValue(parsing: text)
        #expect(Self.kind(value) == kind)
        #expect(String(decoding: value.serialized(), as: UTF8.self) == text)
        #expect(String(decoding: value.serialized(style: .compact), as: UTF8.self) == text)
        #expect(value.pythonRepr == (text == "true" ? "True" : text))
        // Nested, too, the way arguments travel.
        let nested = try JSONValue(parsing: #"{"args": [\#(text)], "kwargs": {"v": \#(text)}}"#)
        #expect(String(decoding: nested.serialized(), as: UTF8.self) == #"{"args": [\#(text)], "kwargs": {"v": \#(text)}}"#)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        guard case .double(let zero) = try JSONValue(parsing: "-0.0") else {
            Issue.record("-0.0 should parse as a double")
            return
        }
        #expect(zero.sign == .minus)
    }

    @Test(arguments: [
        ("-0007", "-7"), ("+42", "42"), ("-0", "0"), ("000", "0"),
        ("18446744073709551616", "18446744073709551616"), ("-00018446744073709551616", "-18446744073709551616"),
    ])
    func bigIntegerDigitsAreNormalised(text: String, normal: String) throws {
        #expect(try #require(JSONBigInteger(text)).description == normal)
    }

    @Test(arguments: ["", "-", "+", "1.0", "1e5", " 1", "1 ", "+-1", "0x10", "١٢", "--1"])
    func bigIntegerRejectsWhatIsNotAnInteger(text: String) {
        #expect(JSONBigInteger(text) == nil)
        #expect(JSONValue(integerDigits: text) == nil)
    }

    @Test func integersCompareByValue() throws {
        let big = try JSONValue(parsing: "18446744073709551616")
        #expect(big == JSONValue(integerDigits: "0018446744073709551616"))
        #expect(big == JSONValue(integer: UInt128(UInt64.max) + 1))
        #expect(big != .double(18446744073709551616.0))
        #expect(big != JSONValue(integerDigits: "-18446744073709551616"))
        #expect(JSONBigInteger("-0") == JSONBigInteger("0"))
        // An integer equals itself whichever case holds it, hashes alike, and never equals a float or a bool.
        let five = JSONValue.bigInteger(JSONBigInteger(5))
        #expect(five == .int(5))
        #expect(Set<JSONValue>([five, .int(5)]).count == 1)
        #expect(Set<JSONValue>([big, try JSONValue(parsing: "18446744073709551616")]).count == 1)
        #expect(JSONValue.int(1) != .double(1.0))
        #expect(JSONValue.bool(true) != .int(1))
        #expect(JSONValue(integer: Int64.min) == .int(Int.min))
        #expect(JSONValue(integerDigits: "9223372036854775807") == .int(Int.max))
    }

    @Test func integersBeyondPythonsDigitLimitAreRefused() throws {
        let limit = String(repeating: "9", count: 4300)
        #expect(try JSONValue(parsing: limit) == JSONValue(integerDigits: limit))
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[" + limit + "9]") }
        #expect(error?.code == .numberOutOfRange)
        #expect(error?.offset == 1)
        #expect(error?.message.contains("4301 digits") == true)
    }

    /// `1e400` is infinity in Python's json; here it is an error unless non-finite numbers are allowed.
    @Test func floatsBeyondDoubleAreAnErrorUnlessNonFiniteIsAllowed() throws {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: "1e400") }
        #expect(error?.code == .numberOutOfRange)
        #expect(try JSONParser(allowNonFinite: true).parse("-1e400") == .double(-.infinity))
    }

    struct Counter: Codable, Equatable { var n: Int }

    /// Decoding a big integer into a fixed-width type is an error naming the type; never a wrap or rounding.
    @Test func decodingIntoFixedWidthIntegersNeverWraps() throws {
        let big = try JSONValue(parsing: "18446744073709551616")
        for lax in [false, true] {
            #expect(throws: DecodingError.self) { try big.decode(Int.self, lax: lax) }
            #expect(throws: DecodingError.self) { try big.decode(Int64.self, lax: lax) }
            #expect(throws: DecodingError.self) { try big.decode(UInt64.self, lax: lax) }
            #expect(throws: DecodingError.self) { try big.decode(Int32.self, lax: lax) }
        }
        #expect(try JSONValue(parsing: "18446744073709551615").decode(UInt64.self) == UInt64.max)
        #expect(try JSONValue(parsing: "-9223372036854775808").decode(Int64.self) == Int64.min)
        #expect(throws: DecodingError.self) { try JSONValue(parsing: "-1").decode(UInt64.self) }
        #expect(throws: DecodingError.self) { try JSONValue(parsing: "-18446744073709551616").decode(UInt64.self) }

        do {
            _ = try JSONValue(parsing: #"{"n": -1180591620717411303427}"#).decode(Counter.self)
            Issue.record("decoding should fail")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.map(\.stringValue) == ["n"])
            #expect(context.debugDescription == "expected Int, found integer -1180591620717411303427, which is out of range for Int")
        }
    }

    /// Into `Double`, Python's `float(int)`: rounded to nearest, and an error (OverflowError) past the range.
    @Test func decodingIntoDoubleFollowsPython() throws {
        #expect(try JSONValue(parsing: "18446744073709551616").decode(Double.self) == 1.8446744073709552e19)
        #expect(try JSONValue(parsing: "-1180591620717411303427").decode(Double.self) == -1.1805916207174113e21)
        // 2**53 + 1 rounds half to even, to 2**53.
        #expect(try JSONValue(parsing: "9007199254740993").decode(Double.self) == 9_007_199_254_740_992)
        let huge = "1" + String(repeating: "0", count: 309)
        let error = #expect(throws: DecodingError.self) { try JSONValue(parsing: huge).decode(Double.self) }
        if case .dataCorrupted(let context) = error {
            #expect(context.debugDescription.contains("too large to convert to a float"))
        } else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
        }
        #expect(JSONValue(integerDigits: huge)?.doubleValue == nil)
        #expect(JSONValue(integerDigits: huge)?.intValue == nil)
    }

    @Test func wideIntegersEncodeExactly() throws {
        #expect(try JSONValue(encoding: UInt64.max) == JSONValue(integerDigits: "18446744073709551615"))
        #expect(try JSONValue(encoding: [UInt64.max]).description == "[18446744073709551615]")
        #expect(try JSONValue(encoding: ["u": UInt64.max]).description == #"{"u":18446744073709551615}"#)
        #expect(try JSONValue(encoding: UInt(1) << 63).description == "9223372036854775808")
    }

    /// A task parameter of type Int refuses 2**64 with an error naming the argument and the reason.
    @Test func aTaskArgumentOutOfRangeNamesTheArgument() async throws {
        for castTypes in [false, true] {
            let error = await #expect(throws: TaskiqError.self) {
                try await PackArityTests.run(
                    "arity.two", args: [1, try JSONValue(parsing: "18446744073709551616")],
                    castTypes: castTypes)
            }
            #expect(
                error?.message == "task 'arity.two' argument 2 ('b') expected Int, found integer 18446744073709551616, "
                    + "which is out of range for Int")
        }
    }

    @Test func bigIntegerLabelsKeepTheirDigits() throws {
        let big = try #require(JSONValue(integerDigits: "18446744073709551616"))
        #expect(LabelType.encode(big) == ("18446744073709551616", .int))
        #expect(try LabelType.int.decode(.string("18446744073709551616")) == big)
        #expect(try LabelType.int.decode(big) == big)
        #expect(try LabelType.str.decode(big) == .string("18446744073709551616"))
    }

    @Test func bigIntegersEncodeThroughFoundationWhereTheyFit() throws {
        let fits = try #require(JSONValue(integerDigits: "18446744073709551615"))
        let encoded = try JSONEncoder().encode(fits)
        #expect(String(decoding: encoded, as: UTF8.self) == "18446744073709551615")
        #expect(try JSONDecoder().decode(JSONValue.self, from: encoded) == fits)
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(JSONValue(integerDigits: "18446744073709551616")) }
    }
}
