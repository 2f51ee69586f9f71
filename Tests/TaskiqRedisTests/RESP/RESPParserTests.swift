import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension RESP {
    @Suite struct RESPParserTests {
        struct Fixture: Sendable, CustomTestStringConvertible {
            var wire: String
            var value: RESPValue
            var testDescription: String { wire.replacingOccurrences(of: "\r\n", with: "⏎") }
        }

        static func b(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

        /// Byte fixtures from the protocol reference (Part 2), one per type and null form.
        static let fixtures: [Fixture] = [
            Fixture(wire: "+OK\r\n", value: .simpleString("OK")),
            Fixture(wire: "+\r\n", value: .simpleString("")),
            Fixture(wire: "-ERR unknown command 'HELLO'\r\n", value: .simpleError("ERR unknown command 'HELLO'")),
            Fixture(wire: ":0\r\n", value: .integer(0)),
            Fixture(wire: ":-42\r\n", value: .integer(-42)),
            Fixture(wire: ":+7\r\n", value: .integer(7)),
            Fixture(wire: ":9223372036854775807\r\n", value: .integer(.max)),
            Fixture(wire: ":-9223372036854775808\r\n", value: .integer(.min)),
            Fixture(wire: "$3\r\nfoo\r\n", value: b("foo")),
            Fixture(wire: "$0\r\n\r\n", value: b("")),
            Fixture(wire: "$4\r\na\r\nb\r\n", value: b("a\r\nb")),
            Fixture(wire: "$-1\r\n", value: .null(.bulkString)),
            Fixture(wire: "*-1\r\n", value: .null(.array)),
            Fixture(wire: "_\r\n", value: .null(.resp3)),
            Fixture(wire: "*0\r\n", value: .array([])),
            Fixture(wire: "*3\r\n:1\r\n$-1\r\n:2\r\n", value: .array([.integer(1), .null(.bulkString), .integer(2)])),
            Fixture(wire: "*2\r\n*1\r\n+a\r\n*0\r\n", value: .array([.array([.simpleString("a")]), .array([])])),
            Fixture(wire: "#t\r\n", value: .boolean(true)),
            Fixture(wire: "#f\r\n", value: .boolean(false)),
            Fixture(wire: ",1.5\r\n", value: .double(1.5)),
            Fixture(wire: ",-2\r\n", value: .double(-2)),
            Fixture(wire: ",1e10\r\n", value: .double(1e10)),
            Fixture(wire: ",inf\r\n", value: .double(.infinity)),
            Fixture(wire: ",-inf\r\n", value: .double(-.infinity)),
            Fixture(
                wire: "(3492890328409238509324850943850943825024385\r\n",
                value: .bigNumber("3492890328409238509324850943850943825024385")),
            Fixture(wire: "(-12\r\n", value: .bigNumber("-12")),
            Fixture(wire: "!21\r\nSYNTAX invalid syntax\r\n", value: .bulkError("SYNTAX invalid syntax")),
            Fixture(wire: "=15\r\ntxt:Some string\r\n", value: .verbatimString(format: "txt", text: Array("Some string".utf8))),
            Fixture(wire: "%1\r\n$1\r\nk\r\n$1\r\nv\r\n", value: .map([.init(b("k"), b("v"))])),
            Fixture(wire: "%0\r\n", value: .map([])),
            Fixture(wire: "~2\r\n:1\r\n:2\r\n", value: .set([.integer(1), .integer(2)])),
            Fixture(wire: "|1\r\n+ttl\r\n:3600\r\n+OK\r\n", value: .simpleString("OK")),
            Fixture(wire: "*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", value: .array([.integer(1), .integer(2)])),
            // XREADGROUP, RESP2 and RESP3
            Fixture(
                wire: "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
                value: .array([.array([b("s"), .array([.array([b("1-1"), .array([b("f"), b("v")])])])])])),
            Fixture(
                wire: "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
                value: .map([.init(b("s"), .array([.array([b("1-1"), .array([b("f"), b("v")])])]))])),
            // XPENDING summary on an empty group, RESP3
            Fixture(wire: "*4\r\n:0\r\n_\r\n_\r\n_\r\n", value: .array([.integer(0), .null(.resp3), .null(.resp3), .null(.resp3)])),
            // XAUTOCLAIM with one deleted ID
            Fixture(wire: "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n9-0\r\n", value: .array([b("0-0"), .array([]), .array([b("9-0")])])),
        ]

        static func parseAll(
            _ bytes: [UInt8], limits: RESPParser.Limits = .init(),
            policy: RESPParser.AttributePolicy = .skip
        ) throws -> [RESPParser.Event] {
            var parser = RESPParser(limits: limits, attributePolicy: policy)
            parser.append(bytes)
            var events: [RESPParser.Event] = []
            while let event = try parser.next() { events.append(event) }
            #expect(parser.bufferedByteCount == 0)
            return events
        }

        @Test(arguments: fixtures)
        func parsesWholeInput(_ fixture: Fixture) throws {
            #expect(try Self.parseAll(Array(fixture.wire.utf8)) == [.reply(fixture.value)])
        }

        @Test(arguments: fixtures)
        func parsesByteByByte(_ fixture: Fixture) throws {
            var parser = RESPParser()
            var events: [RESPParser.Event] = []
            let bytes = Array(fixture.wire.utf8)
            for (index, byte) in bytes.enumerated() {
                parser.append([byte])
                while let event = try parser.next() {
                    #expect(index == bytes.count - 1, "a value completed before its last byte")
                    events.append(event)
                }
            }
            #expect(events == [.reply(fixture.value)])
        }

        @Test func nanIsADouble() throws {
            for spelling in ["nan", "-nan", "NaN"] {
                let events = try Self.parseAll(Array(",\(spelling)\r\n".utf8))
                guard case .reply(.double(let value)) = events.first else {
                    Issue.record("no double")
                    continue
                }
                #expect(value.isNaN)
            }
        }

        @Test func concatenatedRepliesComeOutInOrder() throws {
            let wire = Self.fixtures.map(\.wire).joined()
            #expect(try Self.parseAll(Array(wire.utf8)) == Self.fixtures.map { .reply($0.value) })
        }

        @Test func everySplitPointGivesTheSameValues() throws {
            let wire = Array(Self.fixtures.map(\.wire).joined().utf8)
            let expected = Self.fixtures.map { RESPParser.Event.reply($0.value) }
            for split in stride(from: 0, through: wire.count, by: 7) {
                var parser = RESPParser()
                var events: [RESPParser.Event] = []
                parser.append(wire[..<split])
                while let event = try parser.next() { events.append(event) }
                parser.append(wire[split...])
                while let event = try parser.next() { events.append(event) }
                #expect(events == expected, "split at \(split)")
            }
        }

        @Test func pushFramesAreRoutedAside() throws {
            let wire = ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n+PONG\r\n"
            #expect(
                try Self.parseAll(Array(wire.utf8)) == [
                    .push([Self.b("subscribe"), Self.b("ch"), .integer(1)]),
                    .push([Self.b("message"), Self.b("ch"), Self.b("hi")]),
                    .reply(.simpleString("PONG")),
                ])
        }

        @Test func attributesCanBeAttached() throws {
            let wire = "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n"
            let events = try Self.parseAll(Array(wire.utf8), policy: .attach)
            let attributes: [RESPValue.Pair] = [.init(.simpleString("key-popularity"), .map([.init(Self.b("a"), .double(0.1923))]))]
            #expect(events == [.reply(.attributed(attributes: attributes, value: .array([.integer(2_039_123), .integer(9_543_892)])))])
            #expect(try Self.parseAll(Array(wire.utf8)) == [.reply(.array([.integer(2_039_123), .integer(9_543_892)]))])
        }

        @Test func valuesReencodeToTheirBytes() throws {
            for fixture in Self.fixtures where !fixture.wire.hasPrefix("|") && !fixture.wire.contains("|1") && !fixture.wire.hasPrefix(":+")
            {
                let doubleSpelling = fixture.wire.hasPrefix(",")
                if doubleSpelling { continue }
                #expect(fixture.value.encoded == Array(fixture.wire.utf8), "\(fixture.testDescription)")
            }
        }

        struct Violation: Sendable, CustomTestStringConvertible {
            var wire: String
            var code: RESPProtocolError.Code
            var offset: Int
            var testDescription: String { wire.replacingOccurrences(of: "\r\n", with: "⏎") }
        }

        static let violations: [Violation] = [
            Violation(wire: "hello\r\n", code: .unknownType, offset: 0),
            Violation(wire: "+OK\r\n@\r\n", code: .unknownType, offset: 5),
            Violation(wire: ":12a\r\n", code: .invalidNumber, offset: 3),
            Violation(wire: ":\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: ":99999999999999999999\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: "$-2\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: "%-1\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: "$+3\r\nfoo\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: "$3\r\nfooX\r\n", code: .invalidFraming, offset: 7),
            Violation(wire: "+OK\rX\r\n", code: .invalidFraming, offset: 4),
            Violation(wire: "+OK\n", code: .invalidFraming, offset: 3),
            Violation(wire: "_x\r\n", code: .invalidFraming, offset: 1),
            Violation(wire: "#x\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: ",1.5.5\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: ",0x10\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: "(12a\r\n", code: .invalidNumber, offset: 1),
            Violation(wire: "=3\r\ntxt\r\n", code: .invalidPayload, offset: 4),
            Violation(wire: "$?\r\n;3\r\nfoo\r\n;0\r\n", code: .unsupported, offset: 0),
            Violation(wire: "*?\r\n:1\r\n.\r\n", code: .unsupported, offset: 0),
            Violation(wire: "$536870913\r\n", code: .tooLarge, offset: 0),
            Violation(wire: "*1048577\r\n", code: .tooLarge, offset: 0),
            Violation(wire: "%9223372036854775807\r\n", code: .tooLarge, offset: 0),
        ]

        @Test(arguments: violations)
        func violationsAreLocatedErrors(_ violation: Violation) {
            let error = #expect(throws: RESPProtocolError.self) { try Self.parseAll(Array(violation.wire.utf8)) }
            #expect(error?.code == violation.code, "\(error.map { "\($0)" } ?? "")")
            #expect(error?.offset == violation.offset, "\(error.map { "\($0)" } ?? "")")
        }

        @Test func errorMessagesSayWhatWasFoundAndExpected() {
            let error = #expect(throws: RESPProtocolError.self) { try Self.parseAll(Array("+OK\r\n\u{01}\r\n".utf8)) }
            #expect(
                error?.description
                    == "invalid RESP at byte 5: found byte 0x01 where a type byte (one of + - : $ * _ # , ( ! = % ~ | >) was expected")
        }

        @Test func oversizedLengthsAreRejectedBeforeAllocation() throws {
            // The header alone is enough: no payload bytes are needed (or buffered) to refuse it.
            var parser = RESPParser(limits: .init(maxBulkLength: 1024, maxAggregateCount: 16))
            parser.append(Array("$1025\r\n".utf8))
            #expect(throws: RESPProtocolError.self) { try parser.next() }
            var arrays = RESPParser(limits: .init(maxBulkLength: 1024, maxAggregateCount: 16))
            arrays.append(Array("*17\r\n".utf8))
            #expect(throws: RESPProtocolError.self) { try arrays.next() }
            // A declared 512 MiB bulk that never arrives holds only the bytes received.
            var pending = RESPParser()
            pending.append(Array("$536870912\r\nabc".utf8))
            #expect(try pending.next() == nil)
            #expect(pending.bufferedByteCount == 15)
        }

        @Test func overlongLinesAreRejected() {
            var parser = RESPParser(limits: .init(maxLineLength: 8))
            parser.append(Array("+0123456789".utf8))
            #expect(throws: RESPProtocolError.self) { try parser.next() }
        }

        @Test func nestingDepthIsLimited() throws {
            let deep = String(repeating: "*1\r\n", count: 10) + ":1\r\n"
            #expect(throws: RESPProtocolError.self) { try Self.parseAll(Array(deep.utf8), limits: .init(maxDepth: 9)) }
            #expect(try Self.parseAll(Array(deep.utf8), limits: .init(maxDepth: 10)).count == 1)
            // The default limit refuses a hostile stream of headers without recursion.
            let hostile = String(repeating: "*1\r\n", count: 100_000)
            let error = #expect(throws: RESPProtocolError.self) { try Self.parseAll(Array(hostile.utf8)) }
            #expect(error?.code == .tooDeep)
        }

        /// Found by fuzzing (`scripts/fuzz.sh resp`): a non-ASCII format was decoded to U+FFFD,
        /// and the value then re-encoded to a format of more than 3 bytes that failed to parse.
        @Test func aVerbatimFormatMustBeASCII() {
            let error = #expect(throws: RESPProtocolError.self) {
                try Self.parseAll([UInt8]("=15\r\nt".utf8) + [0xEC] + [UInt8]("t:Some string\r\n".utf8))
            }
            #expect(error?.code == .invalidPayload)
            #expect(error?.message.contains("byte 0xEC") == true)
        }

        @Test func anErrorIsSticky() {
            var parser = RESPParser()
            parser.append(Array("?\r\n".utf8))
            #expect(throws: RESPProtocolError.self) { try parser.next() }
            parser.append(Array("+OK\r\n".utf8))
            #expect(throws: RESPProtocolError.self) { try parser.next() }
        }

        @Test func largeAggregatesArriveInChunks() throws {
            var wire: [UInt8] = Array("*100000\r\n".utf8)
            for index in 0..<100_000 { wire += Array("$\(String(index).utf8.count)\r\n\(index)\r\n".utf8) }
            var parser = RESPParser()
            var events: [RESPParser.Event] = []
            var offset = 0
            while offset < wire.count {
                let end = min(wire.count, offset + 4096)
                parser.append(wire[offset..<end])
                while let event = try parser.next() { events.append(event) }
                offset = end
            }
            guard case .reply(.array(let items)) = events.first else {
                Issue.record("no array")
                return
            }
            #expect(items.count == 100_000)
            #expect(items[99_999] == Self.b("99999"))
            #expect(parser.bufferedByteCount == 0)
        }
    }
}
