/// Cuts what a NATS server sends into ``NATSServerOperation``s: `append` what arrived, then
/// `next()` until it returns `nil`.
///
/// Control lines end with CRLF (a bare LF is accepted too), verbs are matched without case, and
/// arguments may be separated by runs of spaces and tabs (the server itself sends
/// `MSG <inbox> 1  38`), so sizes are taken from the end of the line. A line's length is checked
/// before its end arrives and a message's size before its payload does, so a server cannot make
/// the parser buffer more than one line or one payload. Bytes are kept in one buffer read from
/// an offset and compacted when half of it has been consumed.
///
/// After it throws once, the parser keeps throwing the same error: the stream cannot be
/// resynchronised, and the connection must be closed.
package struct NATSParser: Sendable {
    /// The longest control line accepted, in bytes without its line end (the server's own
    /// limit is 4096).
    package var maxControlLine: Int
    /// The largest `MSG` payload or `HMSG` header-plus-payload accepted, in bytes.
    package var maxPayload: Int
    /// The longest `INFO` line accepted, in bytes without its line end: a cluster's
    /// `connect_urls` can make it longer than other control lines. ``maxControlLine`` applies
    /// when it is larger.
    package var maxInfoLine: Int

    /// Received bytes; those before ``readIndex`` have been consumed.
    private var buffer: [UInt8] = []
    /// Where the next operation starts in ``buffer``.
    private var readIndex = 0
    /// Bytes of the current control line already searched for its LF, so a line that arrives in
    /// many pieces is scanned once.
    private var scanned = 0
    /// A message whose control line was read and whose payload has not all arrived.
    private var pending: PendingMessage?
    /// The first error, thrown again on every later call.
    private var failure: NATSProtocolError?

    /// Capacity above which an emptied buffer is released rather than kept for reuse.
    private static let retainedCapacity = 1 << 20

    /// A parser with the given limits.
    ///
    /// - Parameters:
    ///   - maxControlLine: The longest control line accepted, in bytes without its line end.
    ///   - maxPayload: The largest payload (header block included) accepted, in bytes.
    ///   - maxInfoLine: The longest `INFO` line accepted, in bytes without its line end.
    package init(maxControlLine: Int = 4096, maxPayload: Int = 64 * 1024 * 1024, maxInfoLine: Int = 1 << 20) {
        self.maxControlLine = maxControlLine
        self.maxPayload = maxPayload
        self.maxInfoLine = maxInfoLine
    }

    /// Bytes received but not yet returned as operations (a pending message's control line
    /// excluded).
    package var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes. After an error they are dropped.
    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes. After an error they are dropped.
    package mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next whole operation, or `nil` when more bytes are needed.
    ///
    /// - Throws: ``NATSProtocolError``: `.controlLineTooLong` for a line over the limit (even
    ///   before its end arrives), `.payloadTooLarge` for a message over ``maxPayload`` (before
    ///   its payload arrives), `.invalidHeader` for an `HMSG` header block that does not parse,
    ///   `.malformed` for anything else that is not the protocol. The same error again on every
    ///   later call.
    package mutating func next() throws(NATSProtocolError) -> NATSServerOperation? {
        if let failure { throw failure }
        do {
            return try parseNext()
        } catch {
            failure = error
            throw error
        }
    }

    /// Drops consumed bytes once they are at least half of the buffer, so each byte is moved
    /// a bounded number of times; an emptied buffer keeps its storage unless it grew large.
    private mutating func compact() {
        if readIndex == buffer.count {
            if readIndex > 0 || buffer.capacity > Self.retainedCapacity {
                buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
            }
            readIndex = 0
        } else if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }

    /// The next operation, reading a control line first unless a message is waiting for its
    /// payload.
    private mutating func parseNext() throws(NATSProtocolError) -> NATSServerOperation? {
        if pending == nil {
            guard let line = try nextControlLine() else { return nil }
            switch try parseControlLine(line) {
            case .operation(let operation): return operation
            case .message(let message): pending = message
            }
        }
        guard let message = pending else { return nil }
        // `total` is checked against `maxPayload` only, so compare without adding to it.
        guard message.total <= buffer.count - readIndex - 2 else { return nil }
        let payloadEnd = readIndex + message.total
        guard buffer[payloadEnd] == NATSASCII.cr, buffer[payloadEnd + 1] == NATSASCII.lf else {
            throw NATSProtocolError(
                .malformed,
                "the \(message.total)-byte payload of a message on \(message.subject) is followed by 0x\(hex(buffer[payloadEnd])) 0x\(hex(buffer[payloadEnd + 1])), expected CRLF"
            )
        }
        var headers: NATSHeaders?
        var payloadStart = readIndex
        if let headerLength = message.headerLength {
            payloadStart += headerLength
            do {
                headers = try NATSHeaders(parsing: buffer, range: readIndex..<payloadStart)
            } catch {
                throw NATSProtocolError(error.code, "\(error.message) (in an HMSG on \(message.subject))")
            }
        }
        let payload = Array(buffer[payloadStart..<payloadEnd])
        readIndex = payloadEnd + 2
        pending = nil
        return .message(
            NATSMessage(
                subject: message.subject, sid: message.sid, replyTo: message.replyTo,
                headers: headers, payload: payload))
    }

    /// The range of the next control line without its line end, consumed; `nil` when its end
    /// has not arrived.
    private mutating func nextControlLine() throws(NATSProtocolError) -> Range<Int>? {
        let start = readIndex
        let end = buffer.count
        if let lf = buffer[(start + scanned)..<end].firstIndex(of: NATSASCII.lf) {
            let lineEnd = lf > start && buffer[lf - 1] == NATSASCII.cr ? lf - 1 : lf
            let limit = lineLimit(start: start, available: lf - start)
            guard lineEnd - start <= limit else { throw tooLong(limit) }
            readIndex = lf + 1
            scanned = 0
            return start..<lineEnd
        }
        scanned = end - start
        // Without its LF the line is at least (available - 1) bytes long: the last one may be a
        // CR. The limit is only known once the first five bytes are, so the same input fails the
        // same way however it was cut.
        if scanned >= 5 {
            let limit = lineLimit(start: start, available: scanned)
            if scanned - 1 > limit { throw tooLong(limit) }
        }
        return nil
    }

    /// ``maxInfoLine`` for a line that starts `INFO` and a blank, else ``maxControlLine``;
    /// `available` bytes of the line (before any LF) are in the buffer.
    private func lineLimit(start: Int, available: Int) -> Int {
        if available >= 5, NATSASCII.isBlank(buffer[start + 4]),
            NATSASCII.equalsIgnoringCase(buffer[start..<(start + 4)], "INFO")
        {
            return max(maxInfoLine, maxControlLine)
        }
        return maxControlLine
    }

    /// The error for a control line over `limit`; it names no bytes, so it is the same however
    /// the stream was cut.
    private func tooLong(_ limit: Int) -> NATSProtocolError {
        NATSProtocolError(.controlLineTooLong, "a control line is longer than \(limit) bytes")
    }

    /// `byte` as two hexadecimal digits.
    private func hex(_ byte: UInt8) -> String {
        (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}

extension NATSParser {
    /// What a control line turned out to be.
    private enum ControlLine {
        /// An operation complete in its line.
        case operation(NATSServerOperation)
        /// The start of a `MSG` or `HMSG` whose payload follows.
        case message(PendingMessage)
    }

    /// A `MSG` or `HMSG` whose control line has been read.
    private struct PendingMessage: Sendable {
        /// The subject it was published to.
        var subject: String
        /// The subscription it was delivered to.
        var sid: UInt64
        /// The reply subject, if the line had one.
        var replyTo: String?
        /// The size of the header block, for `HMSG`; `nil` for `MSG`.
        var headerLength: Int?
        /// Header block plus payload, in bytes; at most `maxPayload`.
        var total: Int
    }

    /// The blank-separated arguments of a control line, read without allocating.
    private struct Tokens {
        /// The parser's buffer.
        let bytes: [UInt8]
        /// Where the search for the next token starts.
        var index: Int
        /// The end of the arguments.
        let end: Int

        /// The next run of non-blank bytes, or `nil` after the last.
        mutating func next() -> Range<Int>? {
            while index < end, NATSASCII.isBlank(bytes[index]) { index += 1 }
            guard index < end else { return nil }
            let start = index
            while index < end, !NATSASCII.isBlank(bytes[index]) { index += 1 }
            return start..<index
        }
    }

    /// Decodes one control line; `line` excludes its line end.
    private func parseControlLine(_ line: Range<Int>) throws(NATSProtocolError) -> ControlLine {
        guard !line.isEmpty else {
            throw NATSProtocolError(.malformed, "an empty control line; expected INFO, MSG, HMSG, PING, PONG, +OK or -ERR")
        }
        var verbEnd = line.lowerBound
        while verbEnd < line.upperBound, !NATSASCII.isBlank(buffer[verbEnd]) { verbEnd += 1 }
        let verb = buffer[line.lowerBound..<verbEnd]
        let arguments = verbEnd..<line.upperBound
        if NATSASCII.equalsIgnoringCase(verb, "MSG") {
            return .message(try parseMessage(arguments, line: line))
        }
        if NATSASCII.equalsIgnoringCase(verb, "HMSG") {
            return .message(try parseHeaderMessage(arguments, line: line))
        }
        if NATSASCII.equalsIgnoringCase(verb, "PING") {
            try expectNoArguments(arguments, verb: "PING")
            return .operation(.ping)
        }
        if NATSASCII.equalsIgnoringCase(verb, "PONG") {
            try expectNoArguments(arguments, verb: "PONG")
            return .operation(.pong)
        }
        if NATSASCII.equalsIgnoringCase(verb, "+OK") {
            try expectNoArguments(arguments, verb: "+OK")
            return .operation(.ok)
        }
        if NATSASCII.equalsIgnoringCase(verb, "-ERR") {
            var text = NATSASCII.trimmingBlanks(buffer, arguments)
            if text.count >= 2, buffer[text.lowerBound] == NATSASCII.quote, buffer[text.upperBound - 1] == NATSASCII.quote {
                text = (text.lowerBound + 1)..<(text.upperBound - 1)
            }
            return .operation(.error(String(decoding: buffer[text], as: UTF8.self)))
        }
        if NATSASCII.equalsIgnoringCase(verb, "INFO") {
            let json = NATSASCII.trimmingBlanks(buffer, arguments)
            guard !json.isEmpty else {
                throw NATSProtocolError(.malformed, "INFO without a JSON object")
            }
            return .operation(.info(try NATSServerInfo(json: buffer[json])))
        }
        throw NATSProtocolError(
            .malformed, "unknown operation \(NATSASCII.quoted(verb)); expected INFO, MSG, HMSG, PING, PONG, +OK or -ERR")
    }

    /// Refuses anything but blanks after a verb that takes no arguments.
    private func expectNoArguments(_ arguments: Range<Int>, verb: String) throws(NATSProtocolError) {
        let rest = NATSASCII.trimmingBlanks(buffer, arguments)
        guard rest.isEmpty else {
            throw NATSProtocolError(.malformed, "\(verb) takes no arguments, got \(NATSASCII.quoted(buffer[rest]))")
        }
    }

    /// `MSG <subject> <sid> [reply-to] <#bytes>`.
    private func parseMessage(_ arguments: Range<Int>, line: Range<Int>) throws(NATSProtocolError) -> PendingMessage {
        var tokens = Tokens(bytes: buffer, index: arguments.lowerBound, end: arguments.upperBound)
        let first = tokens.next()
        let second = tokens.next()
        let third = tokens.next()
        let fourth = tokens.next()
        guard let subject = first, let sid = second, let last = fourth ?? third, tokens.next() == nil else {
            throw NATSProtocolError(.malformed, "MSG needs <subject> <sid> [reply-to] <#bytes>, got \(NATSASCII.quoted(buffer[line]))")
        }
        let size = try self.size(last, of: "MSG")
        guard size <= maxPayload else {
            throw NATSProtocolError(.payloadTooLarge, "a MSG of \(size) bytes exceeds the limit of \(maxPayload)")
        }
        return PendingMessage(
            subject: string(subject), sid: try self.sid(sid), replyTo: fourth == nil ? nil : third.map(string),
            headerLength: nil, total: size)
    }

    /// `HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>`.
    private func parseHeaderMessage(_ arguments: Range<Int>, line: Range<Int>) throws(NATSProtocolError) -> PendingMessage {
        var tokens = Tokens(bytes: buffer, index: arguments.lowerBound, end: arguments.upperBound)
        let first = tokens.next()
        let second = tokens.next()
        let third = tokens.next()
        let fourth = tokens.next()
        let fifth = tokens.next()
        guard let subject = first, let sid = second, let third, let fourth, tokens.next() == nil else {
            throw NATSProtocolError(
                .malformed, "HMSG needs <subject> <sid> [reply-to] <#header bytes> <#total bytes>, got \(NATSASCII.quoted(buffer[line]))")
        }
        let (replyTo, headerToken, totalToken) = fifth.map { (Optional(third), fourth, $0) } ?? (nil, third, fourth)
        let headerLength = try size(headerToken, of: "HMSG header")
        let total = try size(totalToken, of: "HMSG total")
        guard total <= maxPayload else {
            throw NATSProtocolError(.payloadTooLarge, "an HMSG of \(total) bytes exceeds the limit of \(maxPayload)")
        }
        guard headerLength <= total else {
            throw NATSProtocolError(.malformed, "an HMSG's header block of \(headerLength) bytes is larger than its total of \(total)")
        }
        return PendingMessage(
            subject: string(subject), sid: try self.sid(sid), replyTo: replyTo.map(string),
            headerLength: headerLength, total: total)
    }

    /// The bytes as UTF-8, invalid sequences replaced by U+FFFD.
    private func string(_ range: Range<Int>) -> String {
        String(decoding: buffer[range], as: UTF8.self)
    }

    /// A subscription id: decimal digits that fit in 64 bits.
    private func sid(_ range: Range<Int>) throws(NATSProtocolError) -> UInt64 {
        guard let sid = NATSASCII.parseDecimal(buffer[range]) else {
            throw NATSProtocolError(.malformed, "sid \(NATSASCII.quoted(buffer[range])) is not a decimal number from 0 to \(UInt64.max)")
        }
        return sid
    }

    /// A byte count: decimal digits that fit in `Int`; `what` names it in the error.
    private func size(_ range: Range<Int>, of what: String) throws(NATSProtocolError) -> Int {
        guard let value = NATSASCII.parseDecimal(buffer[range]), value <= UInt64(Int.max) else {
            throw NATSProtocolError(
                .malformed, "\(what) size \(NATSASCII.quoted(buffer[range])) is not a decimal number from 0 to \(Int.max)")
        }
        return Int(value)
    }
}
