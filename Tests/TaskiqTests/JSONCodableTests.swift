import Testing

@testable import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct JSONCodableTests {
    enum Color: String, Codable, Equatable { case red, green }
    enum Level: Int, Codable, Equatable {
        case low = 1
        case high = 2
    }

    struct Address: Codable, Equatable {
        var street: String
        var zip: Int?
    }

    struct Person: Codable, Equatable {
        var name: String
        var age: Int
        var score: Double
        var tiny: Int8
        var huge: UInt64
        var ratio: Float
        var color: Color
        var level: Level
        var nickname: String?
        var addresses: [Address]
        var tags: [String: Int]
        var matrix: [[Int]]
        var extra: JSONValue
    }

    static let person = Person(
        name: "Ann", age: 41, score: 2.5, tiny: -3, huge: .max, ratio: 0.1, color: .green, level: .high,
        nickname: nil, addresses: [Address(street: "Main", zip: 12345), Address(street: "Side", zip: nil)],
        tags: ["a": 1], matrix: [[1, 2], []], extra: ["k": [true, nil]])

    @Test func encodesNestedStructsInDeclarationOrder() throws {
        let value = try JSONValue(encoding: Self.person)
        #expect(
            value.objectValue?.keys == [
                "name", "age", "score", "tiny", "huge", "ratio", "color", "level", "addresses", "tags", "matrix", "extra",
            ])
        let expected =
            #"{"name":"Ann","age":41,"score":2.5,"tiny":-3,"huge":18446744073709551615,"ratio":0.1,"color":"green","level":2,"addresses":[{"street":"Main","zip":12345},{"street":"Side"}],"tags":{"a":1},"matrix":[[1,2],[]],"extra":{"k":[true,null]}}"#
        #expect(value.description == expected)
    }

    @Test func roundTripsNestedStructs() throws {
        var person = Self.person
        person.huge = 7
        person.nickname = "A"
        let value = try JSONValue(encoding: person)
        #expect(try value.decode(Person.self) == person)
        #expect(try JSONValueDecoder(lax: true).decode(Person.self, from: value) == person)
    }

    @Test func encodesPrimitivesAndCollections() throws {
        #expect(try JSONValue(encoding: 5) == 5)
        #expect(try JSONValue(encoding: "s") == "s")
        #expect(try JSONValue(encoding: 1.5) == 1.5)
        #expect(try JSONValue(encoding: true) == true)
        #expect(try JSONValue(encoding: [1, 2]) == [1, 2])
        #expect(try JSONValue(encoding: Optional<Int>.none) == nil)
        #expect(try JSONValue(encoding: [Optional(1), nil]) == [1, nil])
        #expect(try JSONValue(encoding: UInt8(200)) == 200)
        #expect(try JSONValue(encoding: [3: "x"]) == ["3": "x"])
        #expect(try JSONValue(encoding: Color.red) == "red")
        let json: JSONValue = ["a": [1, "b"]]
        #expect(try JSONValue(encoding: json) == json)
    }

    @Test func encodesFoundationTypes() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        #expect(try JSONValue(encoding: date) == "2023-11-14T22:13:20.250000Z")
        #expect(try JSONValue(encoding: Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000000Z")
        #expect(try JSONValue(encoding: Data([0, 1])) == "AAE=")
        #expect(try JSONValue(encoding: URL(string: "https://example.com/a?b=1")!) == "https://example.com/a?b=1")

        #expect(try JSONValue("2023-11-14T22:13:20.250000Z").decode(Date.self) == date)
        #expect(try JSONValue("2023-11-14T23:13:20.25+01:00").decode(Date.self) == date)
        #expect(try JSONValue("2023-11-14 22:13:20.250").decode(Date.self) == date)
        #expect(try JSONValue(1_700_000_000.25).decode(Date.self) == date)
        #expect(try JSONValue("2023-11-14").decode(Date.self) == Date(timeIntervalSince1970: 1_699_920_000))
        #expect(try JSONValue("AAE=").decode(Data.self) == Data([0, 1]))
        #expect(throws: DecodingError.self) { try JSONValue("2023-13-01").decode(Date.self) }
        #expect(throws: DecodingError.self) { try JSONValue("not base64!").decode(Data.self) }
    }

    /// A class hierarchy exercising `superEncoder` and `superDecoder`.
    class Base: Codable {
        var id: Int
        init(id: Int) { self.id = id }
    }

    final class Derived: Base, @unchecked Sendable {
        var label: String
        init(id: Int, label: String) {
            self.label = label
            super.init(id: id)
        }
        enum CodingKeys: String, CodingKey { case label }
        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            label = try container.decode(String.self, forKey: .label)
            try super.init(from: container.superDecoder())
        }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(label, forKey: .label)
            try super.encode(to: container.superEncoder())
        }
    }

    @Test func supportsSuperEncoderAndDecoder() throws {
        let value = try JSONValue(encoding: Derived(id: 7, label: "x"))
        #expect(value.description == #"{"label":"x","super":{"id":7}}"#)
        let decoded = try value.decode(Derived.self)
        #expect(decoded.id == 7 && decoded.label == "x")
    }

    struct Case: Sendable, CustomStringConvertible {
        var value: JSONValue
        var strict: String?
        var lax: String?
        var description: String { "\(value) as \(strict ?? lax ?? "?")" }
    }

    /// Each case decodes `value` as Int; `nil` means an error is expected.
    @Test(arguments: [
        (JSONValue.int(5), 5 as Int?, 5 as Int?),
        (.double(5.0), 5, 5),
        (.string("5"), nil, 5),
        (.string(" 5 "), nil, 5),
        (.string("5.00"), nil, 5),
        (.string("-12"), nil, -12),
        (.string("abc"), nil, nil),
        (.string("5.5"), nil, nil),
        (.double(5.5), nil, nil),
        (.bool(true), nil, 1),
        (.null, nil, nil),
        (.array([]), nil, nil),
    ])
    func laxAndStrictInt(value: JSONValue, strict: Int?, lax: Int?) {
        #expect((try? value.decode(Int.self)) == strict)
        #expect((try? value.decode(Int.self, lax: true)) == lax)
    }

    @Test(arguments: [
        (JSONValue.bool(true), true as Bool?, true as Bool?),
        (.int(0), nil, false),
        (.int(1), nil, true),
        (.int(2), nil, nil),
        (.string("yes"), nil, true),
        (.string("No"), nil, false),
        (.string("true"), nil, true),
        (.string("0"), nil, false),
        (.string("maybe"), nil, nil),
    ])
    func laxAndStrictBool(value: JSONValue, strict: Bool?, lax: Bool?) {
        #expect((try? value.decode(Bool.self)) == strict)
        #expect((try? value.decode(Bool.self, lax: true)) == lax)
    }

    @Test(arguments: [
        (JSONValue.int(5), 5.0 as Double?, 5.0 as Double?),
        (.double(1.5), 1.5, 1.5),
        (.string("1.5"), nil, 1.5),
        (.string("1e3"), nil, 1000),
        (.string("inf"), nil, nil),
        (.string("1e400"), nil, nil),
        (.string("-1e400"), nil, nil),
        (.string("x"), nil, nil),
    ])
    func laxAndStrictDouble(value: JSONValue, strict: Double?, lax: Double?) {
        #expect((try? value.decode(Double.self)) == strict)
        #expect((try? value.decode(Double.self, lax: true)) == lax)
    }

    @Test func numbersNeverBecomeStrings() {
        #expect((try? JSONValue.int(5).decode(String.self, lax: true)) == nil)
        #expect((try? JSONValue.double(1.5).decode(String.self, lax: true)) == nil)
        #expect((try? JSONValue.bool(true).decode(String.self, lax: true)) == nil)
    }

    /// The description of the error thrown decoding `value` as `T`, and its coding path.
    private func failure<T: Decodable>(_ type: T.Type, _ value: JSONValue, lax: Bool = false) -> (String, String)? {
        do {
            _ = try value.decode(T.self, lax: lax)
            return nil
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                return (context.debugDescription, context.codingPath.map(\.stringValue).joined(separator: "."))
            @unknown default:
                return nil
            }
        } catch {
            return nil
        }
    }

    @Test func errorsNameExpectedAndFoundWithThePath() throws {
        #expect(failure(Int.self, "abc")?.0 == #"expected Int, found string "abc""#)
        #expect(failure(Int.self, "abc", lax: true)?.0 == #"expected Int, found string "abc""#)
        #expect(failure(Int.self, "5")?.0 == #"expected Int, found string "5" (lax decoding would convert it)"#)
        #expect(failure(Int8.self, 300)?.0 == "expected Int8, found integer 300, which is out of range for Int8")
        #expect(failure(Int.self, 5.5)?.0 == "expected Int, found number 5.5")
        #expect(failure(String.self, nil)?.0 == "expected String, found null")
        // Non-finite numbers (Python's NaN, or 1e400 read as infinity) are named, not written as null.
        #expect(failure(Int.self, .double(.nan))?.0 == "expected Int, found number NaN")
        #expect(failure(Int.self, .double(-.infinity))?.0 == "expected Int, found number -Infinity")
        #expect(failure(String.self, [.double(.infinity)])?.0 == "expected String, found array [Infinity]")

        let bad: JSONValue = [
            "name": "Ann", "age": 41, "score": 2.5, "tiny": 1, "huge": 1, "ratio": 1, "color": "green", "level": 2,
            "addresses": [["street": "Main"], ["street": 5]], "tags": [:], "matrix": [], "extra": nil,
        ]
        let failure = try #require(self.failure(Person.self, bad))
        #expect(failure == (#"expected String, found integer 5"#, "addresses.1.street"))

        var missing = bad
        if case .object(var object) = missing {
            object["name"] = nil
            missing = .object(object)
        }
        #expect(self.failure(Person.self, missing)?.0 == #"no value for key "name""#)
        #expect(self.failure(Color.self, "blue") != nil)
    }

    @Test func decodesLargeObjectsAsDictionaries() throws {
        var object = JSONObject()
        for i in 0..<100 { object["k\(i)"] = .int(i) }
        let decoded = try JSONValue.object(object).decode([String: Int].self)
        #expect(decoded.count == 100)
        #expect(decoded["k42"] == 42)
        #expect(try JSONValue(encoding: decoded).objectValue?.count == 100)
    }

    @Test func jsonValueIsCodableWithFoundationToo() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", true, nil]]
        let encoded = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: encoded) == value)
    }
}
