import Testing

@testable import Taskiq

/// A formatter that only decodes, so the receiver uses the protocol's default limit checks.
private struct PlainFormatter: TaskiqFormatter {
    func dumps(_ message: TaskiqMessage) throws -> BrokerMessage { try JSONFormatter().dumps(message) }
    func loads(_ bytes: [UInt8]) throws -> TaskiqMessage { try JSONFormatter().loads(bytes) }
}

/// Each cap at its boundary: a message exactly at the cap decodes, one unit over is rejected with
/// a ``MessageLimitError`` naming the cap and the value found.
@Suite struct MessageLimitsTests {
    /// One cap, the limits that set it tight, and a message measuring exactly `n` against it.
    struct Case: Sendable, CustomTestStringConvertible {
        var limit: MessageLimits.Limit
        var cap: Int
        var message: @Sendable (Int) -> String
        var testDescription: String { limit.name }

        func limits() -> MessageLimits {
            var limits = MessageLimits()
            switch limit {
            case .messageSize: limits.maxMessageSize = cap
            case .depth: limits.maxDepth = cap
            case .arguments: limits.maxArguments = cap
            case .labels: limits.maxLabels = cap
            case .labelKeySize: limits.maxLabelKeySize = cap
            default: limits.maxLabelValueSize = cap
            }
            return limits
        }
    }

    static func wire(args: String = "[]", kwargs: String = "{}", labels: String = "{}") -> String {
        #"{"task_id": "id", "task_name": "t", "labels": \#(labels), "labels_types": {}, "args": \#(args), "kwargs": \#(kwargs)}"#
    }

    static let emptySize = wire(args: #"[""]"#).utf8.count

    static let cases: [Case] = [
        // A string argument padded so the whole message is n bytes.
        Case(limit: .messageSize, cap: emptySize + 100) { n in
            wire(args: "[\"" + String(repeating: "x", count: n - emptySize) + "\"]")
        },
        // n levels in all: the message object and args are 2, the argument n - 2 nested arrays.
        Case(limit: .depth, cap: 10) { n in
            wire(args: "[" + String(repeating: "[", count: n - 2) + "1" + String(repeating: "]", count: n - 2) + "]")
        },
        // Positional and keyword arguments together.
        Case(limit: .arguments, cap: 5) { n in
            wire(args: "[" + (0..<(n - 2)).map(String.init).joined(separator: ", ") + "]", kwargs: #"{"a": 1, "b": 2}"#)
        },
        Case(limit: .labels, cap: 3) { n in
            wire(labels: "{" + (0..<n).map { #""l\#($0)": "v""# }.joined(separator: ", ") + "}")
        },
        Case(limit: .labelKeySize, cap: 8) { n in
            wire(labels: #"{"\#(String(repeating: "k", count: n))": "v"}"#)
        },
        // Bytes, not characters: "é" is two.
        Case(limit: .labelValueSize, cap: 16) { n in
            wire(labels: #"{"k": "é\#(String(repeating: "v", count: n - 2))"}"#)
        },
    ]

    @Test(arguments: cases, [true, false])
    func aMessageAtTheCapDecodesAndOneOverIsRejected(_ test: Case, checkWhileParsing: Bool) throws {
        let formatter: any TaskiqFormatter = checkWhileParsing ? JSONFormatter() : PlainFormatter()
        let limits = test.limits()
        let atCap = try formatter.loads(Array(test.message(test.cap).utf8), limits: limits)
        #expect(atCap.taskName == "t")
        let error = try #require(throws: MessageLimitError.self) {
            try formatter.loads(Array(test.message(test.cap + 1).utf8), limits: limits)
        }
        #expect(error.limit == test.limit)
        #expect(error.maximum == test.cap)
        #expect(error.observed == test.cap + 1)
        #expect(error.message.contains("\(test.limit.name) = \(test.cap)"))
    }

    @Test func theCasesCoverEveryCap() {
        #expect(Set(Self.cases.map(\.limit)) == Set(MessageLimits.Limit.all))
    }

    @Test func depthIsEnforcedWhileParsingNotAfter() throws {
        // A million unclosed levels: not even JSON, so only a check during parsing can name the depth.
        let bytes = Array(Self.wire(args: String(repeating: "[", count: 1_000_000)).utf8)
        var limits = MessageLimits()
        limits.maxMessageSize = bytes.count
        let error = try #require(throws: MessageLimitError.self) { try JSONFormatter().loads(bytes, limits: limits) }
        #expect(error.limit == .depth)
        #expect(error.observed == limits.maxDepth + 1)
    }

    @Test func malformedJSONIsStillAnInvalidMessageNotALimit() {
        #expect(throws: TaskiqError.self) { try JSONFormatter().loads(Array("{".utf8), limits: MessageLimits()) }
    }
}
