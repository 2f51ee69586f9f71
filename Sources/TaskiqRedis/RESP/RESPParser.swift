import Taskiq

/// An incremental RESP2/RESP3 parser: feed it bytes as they arrive, take complete values out.
///
/// ```swift
/// var parser = RESPParser()
/// parser.append(bytesFromSocket)
/// while let event = try parser.next() {
///     switch event {
///     case .reply(let value): ...   // answers commands, in order
///     case .push(let items): ...    // out-of-band (pub/sub, invalidation)
///     }
/// }
/// ```
/// Input may be split at any byte: `next()` returns `nil` until a whole value is buffered,
/// and keeps partially built aggregates between calls so a large reply is not re-parsed.
/// Declared lengths and counts are checked against ``Limits`` before anything is allocated,
/// and memory grows only with bytes actually received. A protocol violation throws a
/// ``RESPProtocolError`` naming the byte found, what was expected and the stream offset;
/// after that the parser keeps throwing the same error (the stream cannot resynchronise).
package struct RESPParser: Sendable {
    /// Bounds on what the parser accepts; input beyond them is a ``RESPProtocolError``.
    package struct Limits: Sendable, Hashable {
        /// The longest bulk string, bulk error or verbatim string, in bytes (512 MiB, Redis's own cap).
        package var maxBulkLength: Int
        /// The most elements (or map pairs) one aggregate may declare.
        package var maxAggregateCount: Int
        /// How deeply aggregates may nest.
        package var maxDepth: Int
        /// The longest line (simple string, simple error, number), in bytes.
        package var maxLineLength: Int

        /// Creates limits; the defaults suit any reply a Redis server sends.
        package init(
            maxBulkLength: Int = 512 << 20, maxAggregateCount: Int = 1 << 20,
            maxDepth: Int = 128, maxLineLength: Int = 1 << 20
        ) {
            self.maxBulkLength = maxBulkLength
            self.maxAggregateCount = maxAggregateCount
            self.maxDepth = maxDepth
            self.maxLineLength = maxLineLength
        }
    }

    /// What to do with RESP3 attributes (`|`), metadata a server may send before a reply.
    package enum AttributePolicy: Sendable, Hashable {
        /// Drop them; the reply reads as if they were not there.
        case skip
        /// Wrap the following value in ``RESPValue/attributed(attributes:value:)``.
        case attach
    }

    /// A complete top-level value.
    package enum Event: Sendable, Hashable {
        /// The reply to the oldest command still waiting.
        case reply(RESPValue)
        /// An out-of-band push frame, which answers no command.
        case push([RESPValue])
    }

    private struct Frame: Sendable {
        enum Kind: Sendable { case array, set, map, push, attribute }
        var kind: Kind
        var remaining: Int
        var elements: [RESPValue]
        var attributes: [RESPValue.Pair]?
    }

    /// The parser's limits.
    package let limits: Limits
    /// What happens to attributes.
    package let attributePolicy: AttributePolicy

    private var buffer: [UInt8] = []
    private var start = 0
    private var consumedBefore = 0
    private var stack: [Frame] = []
    private var topAttributes: [RESPValue.Pair]?
    private var failure: RESPProtocolError?

    /// Creates a parser.
    /// - Parameters:
    ///   - limits: Bounds on lengths, counts and nesting.
    ///   - attributePolicy: Whether attributes are skipped (the default) or attached.
    package init(limits: Limits = Limits(), attributePolicy: AttributePolicy = .skip) {
        self.limits = limits
        self.attributePolicy = attributePolicy
    }

    /// The number of bytes received but not yet consumed by complete elements.
    package var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes.
    package mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes from raw memory (a socket read buffer).
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete top-level value, or `nil` when more bytes are needed.
    /// - Throws: ``RESPProtocolError`` when the bytes are not valid RESP or exceed ``limits``.
    package mutating func next() throws(RESPProtocolError) -> Event? {
        if let failure { throw failure }
        do {
            let event = try parseNext()
            compact()
            return event
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func compact() {
        if start == buffer.count {
            consumedBefore += start
            start = 0
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
        } else if start >= 1 << 16, start >= buffer.count / 2 {
            consumedBefore += start
            buffer.removeFirst(start)
            start = 0
        }
    }

    private func fail(_ code: RESPProtocolError.Code, at index: Int, _ message: String) -> RESPProtocolError {
        RESPProtocolError(code: code, offset: consumedBefore + index, message: message)
    }

    private mutating func parseNext() throws(RESPProtocolError) -> Event? {
        while start < buffer.count {
            let typeIndex = start
            let type = buffer[typeIndex]
            guard Self.isTypeByte(type) else {
                throw fail(
                    .unknownType, at: typeIndex,
                    "found \(Self.describe(type)) where a type byte (one of + - : $ * _ # , ( ! = % ~ | >) was expected")
            }
            guard let lineEnd = try findLineEnd(from: typeIndex + 1) else { return nil }
            let next = lineEnd + 2
            let value: RESPValue
            switch type {
            case UInt8(ascii: "+"):
                value = .simpleString(text(typeIndex + 1, lineEnd))
            case UInt8(ascii: "-"):
                value = .simpleError(text(typeIndex + 1, lineEnd))
            case UInt8(ascii: ":"):
                value = .integer(try integer(typeIndex + 1, lineEnd, what: "an integer"))
            case UInt8(ascii: "_"):
                guard lineEnd == typeIndex + 1 else {
                    throw fail(
                        .invalidFraming, at: typeIndex + 1,
                        "found \(Self.describe(buffer[typeIndex + 1])) after '_' where CRLF was expected")
                }
                value = .null(.resp3)
            case UInt8(ascii: "#"):
                let line = buffer[(typeIndex + 1)..<lineEnd]
                if line.elementsEqual([UInt8(ascii: "t")]) {
                    value = .boolean(true)
                } else if line.elementsEqual([UInt8(ascii: "f")]) {
                    value = .boolean(false)
                } else {
                    throw fail(
                        .invalidNumber, at: typeIndex + 1, "found boolean '\(text(typeIndex + 1, lineEnd))' where 't' or 'f' was expected")
                }
            case UInt8(ascii: ","):
                value = .double(try double(typeIndex + 1, lineEnd))
            case UInt8(ascii: "("):
                value = .bigNumber(try bigNumber(typeIndex + 1, lineEnd))
            case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
                let length = try length(
                    typeIndex + 1, lineEnd, type: type, allowNull: type == UInt8(ascii: "$"),
                    limit: limits.maxBulkLength, what: "bulk length")
                if length < 0 {
                    value = .null(.bulkString)
                    start = next
                    break
                }
                guard buffer.count - next >= length + 2 else { return nil }
                let end = next + length
                guard buffer[end] == 13, buffer[end + 1] == 10 else {
                    throw fail(
                        .invalidFraming, at: end,
                        "found \(Self.describe(buffer[end])) after a \(length)-byte payload where CRLF was expected")
                }
                let payload = Array(buffer[next..<end])
                switch type {
                case UInt8(ascii: "$"): value = .bulkString(payload)
                case UInt8(ascii: "!"): value = .bulkError(String(decoding: payload, as: UTF8.self))
                default:
                    guard payload.count >= 4, payload[3] == UInt8(ascii: ":") else {
                        throw fail(.invalidPayload, at: next, "verbatim string of \(length) bytes lacks its 'fmt:' prefix")
                    }
                    // Formats are ASCII (`txt`, `mkd`); other bytes would be replaced when read as a String, and
                    // the value would re-encode to a format longer than 3 bytes that no parser accepts.
                    if let byte = payload[0..<3].first(where: { $0 >= 0x80 }) {
                        throw fail(
                            .invalidPayload, at: next,
                            "found \(Self.describe(byte)) in a verbatim string's format where 3 ASCII bytes such as 'txt' were expected")
                    }
                    value = .verbatimString(
                        format: String(decoding: payload[0..<3], as: UTF8.self),
                        text: Array(payload[4...]))
                }
                start = end + 2
                if let event = try deliver(value) { return event }
                continue
            default:
                let kind: Frame.Kind =
                    switch type {
                    case UInt8(ascii: "*"): .array
                    case UInt8(ascii: "~"): .set
                    case UInt8(ascii: "%"): .map
                    case UInt8(ascii: ">"): .push
                    default: .attribute
                    }
                let count = try length(
                    typeIndex + 1, lineEnd, type: type, allowNull: kind == .array,
                    limit: limits.maxAggregateCount, what: "element count")
                start = next
                if count < 0 {
                    value = .null(.array)
                } else if count == 0 {
                    value = Self.aggregate(kind, [])
                    if kind == .attribute {
                        try setAttributes([])
                        continue
                    }
                } else {
                    guard stack.count < limits.maxDepth else {
                        throw fail(.tooDeep, at: typeIndex, "aggregates nested deeper than the limit of \(limits.maxDepth)")
                    }
                    let elements = kind == .map || kind == .attribute ? count * 2 : count
                    var storage: [RESPValue] = []
                    storage.reserveCapacity(min(elements, 1024))
                    stack.append(Frame(kind: kind, remaining: elements, elements: storage))
                    continue
                }
            }
            if start < next { start = next }
            if let event = try deliver(value) { return event }
        }
        return nil
    }

    /// Places a finished value into the aggregate being built, or returns it as an event.
    private mutating func deliver(_ value: RESPValue) throws(RESPProtocolError) -> Event? {
        var value = value
        while true {
            guard !stack.isEmpty else {
                if let attributes = topAttributes {
                    topAttributes = nil
                    if attributePolicy == .attach { value = .attributed(attributes: attributes, value: value) }
                }
                if case .push(let items) = value { return .push(items) }
                return .reply(value)
            }
            let top = stack.count - 1
            if let attributes = stack[top].attributes {
                stack[top].attributes = nil
                if attributePolicy == .attach { value = .attributed(attributes: attributes, value: value) }
            }
            stack[top].elements.append(value)
            stack[top].remaining -= 1
            if stack[top].remaining > 0 { return nil }
            let frame = stack.removeLast()
            if frame.kind == .attribute {
                try setAttributes(Self.pairs(frame.elements))
                return nil
            }
            value = Self.aggregate(frame.kind, frame.elements)
        }
    }

    private mutating func setAttributes(_ pairs: [RESPValue.Pair]) throws(RESPProtocolError) {
        if stack.isEmpty { topAttributes = pairs } else { stack[stack.count - 1].attributes = pairs }
    }

    private static func aggregate(_ kind: Frame.Kind, _ elements: [RESPValue]) -> RESPValue {
        switch kind {
        case .array: .array(elements)
        case .set: .set(elements)
        case .push: .push(elements)
        case .map, .attribute: .map(pairs(elements))
        }
    }

    private static func pairs(_ elements: [RESPValue]) -> [RESPValue.Pair] {
        stride(from: 0, to: elements.count - 1, by: 2).map { RESPValue.Pair(elements[$0], elements[$0 + 1]) }
    }

    /// The index of the CR ending the line that starts at `from`, or `nil` if it has not arrived.
    private func findLineEnd(from: Int) throws(RESPProtocolError) -> Int? {
        let limit = limits.maxLineLength
        let found: Int? = buffer.withUnsafeBufferPointer { bytes -> Int? in
            var index = from
            let end = min(bytes.count, from + limit + 2)
            while index < end {
                let byte = bytes[index]
                if byte == 13 || byte == 10 { return index }
                index += 1
            }
            return nil
        }
        guard let index = found else {
            if buffer.count - from > limit + 1 {
                throw fail(.tooLarge, at: from - 1, "line longer than the limit of \(limit) bytes without CRLF")
            }
            return nil
        }
        if buffer[index] == 10 {
            throw fail(.invalidFraming, at: index, "found a bare LF where CRLF was expected")
        }
        guard index + 1 < buffer.count else { return nil }
        guard buffer[index + 1] == 10 else {
            throw fail(.invalidFraming, at: index + 1, "found \(Self.describe(buffer[index + 1])) after CR where LF was expected")
        }
        if index - from > limit {
            throw fail(.tooLarge, at: from - 1, "line of \(index - from) bytes exceeds the limit of \(limit)")
        }
        return index
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: buffer[from..<to], as: UTF8.self)
    }

    private func integer(_ from: Int, _ to: Int, what: String) throws(RESPProtocolError) -> Int64 {
        var index = from
        var negative = false
        if index < to, buffer[index] == UInt8(ascii: "-") || buffer[index] == UInt8(ascii: "+") {
            negative = buffer[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < to else {
            throw fail(.invalidNumber, at: from, "found '\(text(from, to))' where \(what) was expected")
        }
        var value: Int64 = 0
        while index < to {
            let byte = buffer[index]
            guard byte >= 48, byte <= 57 else {
                throw fail(.invalidNumber, at: index, "found \(Self.describe(byte)) in '\(text(from, to))' where \(what) was expected")
            }
            let digit = Int64(byte - 48)
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else {
                throw fail(.invalidNumber, at: from, "'\(text(from, to))' does not fit in a signed 64-bit integer")
            }
            value = next
            index += 1
        }
        return value
    }

    private func length(_ from: Int, _ to: Int, type: UInt8, allowNull: Bool, limit: Int, what: String) throws(RESPProtocolError) -> Int {
        if to - from == 1, buffer[from] == UInt8(ascii: "?") {
            throw fail(.unsupported, at: from - 1, "streamed \(Self.describe(type)) values are not supported (Redis does not send them)")
        }
        guard from < to, buffer[from] != UInt8(ascii: "+") else {
            throw fail(.invalidNumber, at: from, "found '\(text(from, to))' after \(Self.describe(type)) where a \(what) was expected")
        }
        let value = try integer(from, to, what: "a \(what)")
        if value == -1, allowNull { return -1 }
        guard value >= 0 else {
            throw fail(
                .invalidNumber, at: from,
                "found \(what) \(value) after \(Self.describe(type)) where a non-negative number\(allowNull ? " or -1" : "") was expected")
        }
        guard value <= limit else {
            throw fail(.tooLarge, at: from - 1, "\(what) \(value) after \(Self.describe(type)) exceeds the limit of \(limit)")
        }
        return Int(value)
    }

    private func double(_ from: Int, _ to: Int) throws(RESPProtocolError) -> Double {
        let line = text(from, to)
        switch line.lowercased() {
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "-nan", "+nan": return .nan
        default: break
        }
        let ok =
            !line.isEmpty
            && line.utf8.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                    || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            }
        guard ok, let value = Double(line) else {
            throw fail(.invalidNumber, at: from, "found '\(line)' where a double was expected")
        }
        return value
    }

    private func bigNumber(_ from: Int, _ to: Int) throws(RESPProtocolError) -> String {
        var index = from
        if index < to, buffer[index] == UInt8(ascii: "-") || buffer[index] == UInt8(ascii: "+") { index += 1 }
        guard index < to, buffer[index..<to].allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw fail(.invalidNumber, at: from, "found '\(text(from, to))' where a big number was expected")
        }
        return text(from, to)
    }

    private static func isTypeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "("), UInt8(ascii: "!"),
            UInt8(ascii: "="), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: "|"), UInt8(ascii: ">"):
            true
        default:
            false
        }
    }

    /// A byte as a reader wants to see it in an error message: `'x'` or `0x0D`.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
