/// A NATS header block, as carried by HPUB and HMSG: `NATS/1.0[ <status>[ <description>]]\r\n`,
/// then `Name: Value\r\n` for each field, then `\r\n`.
///
/// A status line marks a server status message: `NATS/1.0 503` (no responders),
/// `NATS/1.0 404 No Messages`, `NATS/1.0 408 Request Timeout`, `409`, `100 Idle Heartbeat`.
/// taskiq-nats puts each label in a field (`priority: 5`).
package struct NATSHeaders: Sendable, Hashable {
    /// The three-digit status code of a status message, such as 503 or 408; `nil` when the first
    /// line is plain `NATS/1.0`.
    package var status: Int?
    /// The text after the status code, such as `Request Timeout`; empty when there is none.
    package var statusDescription: String
    /// The fields in the order they were sent; a name may repeat.
    package var fields: [NATSHeaderField]

    /// The version line every header block starts with.
    static let versionLine: StaticString = "NATS/1.0"

    /// Creates a header block.
    ///
    /// - Parameters:
    ///   - status: A status code from 100 to 999, or `nil` for an ordinary message.
    ///   - statusDescription: Text after the status code; only written with a status.
    ///   - fields: The fields, in order.
    package init(status: Int? = nil, statusDescription: String = "", fields: [NATSHeaderField] = []) {
        self.status = status
        self.statusDescription = statusDescription
        self.fields = fields
    }

    /// Parses a whole header block, such as the first `<#hdr>` bytes of an HMSG payload.
    ///
    /// Lines may end with CRLF or a bare LF, and the blank line that ends the block may be
    /// missing; values lose the blanks around them and bytes that are not UTF-8 become U+FFFD.
    ///
    /// - Parameter bytes: The header block.
    /// - Throws: ``NATSProtocolError`` with code `.invalidHeader` when the block does not start
    ///   with `NATS/1.0`, a status is not three digits, a field line has no `:` or a bad name, a
    ///   field line starts with a blank (folding is not supported), or bytes follow the blank line.
    package init(parsing bytes: some Collection<UInt8>) throws(NATSProtocolError) {
        let array = Array(bytes)
        try self.init(parsing: array, range: 0..<array.count)
    }

    /// Parses the header block in `bytes[range]` without copying it.
    init(parsing bytes: [UInt8], range: Range<Int>) throws(NATSProtocolError) {
        self.init()
        var reader = LineReader(bytes: bytes, index: range.lowerBound, end: range.upperBound)
        guard let first = reader.nextLine() else {
            throw NATSProtocolError(.invalidHeader, "the header block is empty, expected it to start with NATS/1.0")
        }
        try parseVersionLine(bytes, first)
        while let line = reader.nextLine() {
            if line.isEmpty {
                guard reader.index == reader.end else {
                    throw NATSProtocolError(
                        .invalidHeader, "\(reader.end - reader.index) bytes follow the blank line that ends the header block")
                }
                break
            }
            fields.append(try Self.parseField(bytes, line))
        }
    }

    /// The first field named `name` exactly, else the first whose name matches ignoring ASCII case.
    package subscript(name: String) -> String? {
        if let exact = fields.first(where: { $0.name == name }) { return exact.value }
        return fields.first(where: { NATSASCII.equalsIgnoringCase($0.name, name) })?.value
    }

    /// Adds a field after the others, keeping any with the same name.
    ///
    /// The field is not checked here; call ``validate()`` before encoding values from outside.
    package mutating func append(name: String, value: String) {
        fields.append(NATSHeaderField(name: name, value: value))
    }

    /// Checks that the block can be encoded and parsed back unchanged in structure.
    ///
    /// - Throws: ``NATSProtocolError`` with code `.invalidHeader` for a status outside 100–999, a
    ///   description without a status or with CR or LF, a field name that is empty or has
    ///   whitespace, control characters or `:`, or a value with CR or LF.
    package func validate() throws(NATSProtocolError) {
        if let status {
            guard (100...999).contains(status) else {
                throw NATSProtocolError(.invalidHeader, "status \(status) is not a three-digit code from 100 to 999")
            }
        } else if !statusDescription.isEmpty {
            throw NATSProtocolError(.invalidHeader, "status description \"\(statusDescription)\" has no status code")
        }
        if statusDescription.utf8.contains(where: { $0 == NATSASCII.cr || $0 == NATSASCII.lf }) {
            throw NATSProtocolError(.invalidHeader, "status description \"\(statusDescription)\" contains CR or LF")
        }
        for field in fields {
            guard !field.name.isEmpty else {
                throw NATSProtocolError(.invalidHeader, "a header field has an empty name")
            }
            if field.name.utf8.contains(where: { NATSASCII.isSpaceOrControl($0) || $0 == NATSASCII.colon }) {
                throw NATSProtocolError(.invalidHeader, "header name \"\(field.name)\" contains whitespace, a control character or ':'")
            }
            if field.value.utf8.contains(where: { $0 == NATSASCII.cr || $0 == NATSASCII.lf }) {
                throw NATSProtocolError(.invalidHeader, "the value of header \"\(field.name)\" contains CR or LF")
            }
        }
    }

    /// The block as bytes; assumes ``validate()`` passed.
    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount)
        encode(into: &out)
        return out
    }

    /// The number of bytes ``encoded()`` returns, without building them.
    package var encodedCount: Int {
        var count = Self.versionLine.utf8CodeUnitCount + 2 + 2
        if let status {
            count += 1 + Self.decimalDigits(status)
            if !statusDescription.isEmpty { count += 1 + statusDescription.utf8.count }
        }
        for field in fields {
            count += field.name.utf8.count + 2 + field.value.utf8.count + 2
        }
        return count
    }

    /// Appends the block to `buffer`; assumes ``validate()`` passed.
    package func encode(into buffer: inout [UInt8]) {
        Self.versionLine.withUTF8Buffer { buffer.append(contentsOf: $0) }
        if let status {
            buffer.append(NATSASCII.space)
            NATSASCII.appendDecimal(status, to: &buffer)
            if !statusDescription.isEmpty {
                buffer.append(NATSASCII.space)
                buffer.append(contentsOf: statusDescription.utf8)
            }
        }
        buffer.append(contentsOf: NATSASCII.crlf)
        for field in fields {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(NATSASCII.colon)
            buffer.append(NATSASCII.space)
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(contentsOf: NATSASCII.crlf)
        }
        buffer.append(contentsOf: NATSASCII.crlf)
    }

    /// How many digits `NATSASCII.appendDecimal` writes for `value` (a negative one is written as 0).
    private static func decimalDigits(_ value: Int) -> Int {
        var rest = UInt64(clamping: value)
        var digits = 1
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }

    /// `NATS/1.0`, optionally followed by blanks, a three-digit status and a description.
    private mutating func parseVersionLine(_ bytes: [UInt8], _ line: Range<Int>) throws(NATSProtocolError) {
        let prefixCount = Self.versionLine.utf8CodeUnitCount
        let matches =
            line.count >= prefixCount
            && Self.versionLine.withUTF8Buffer { version in
                bytes[line.lowerBound..<(line.lowerBound + prefixCount)].elementsEqual(version)
            }
        guard matches, line.count == prefixCount || NATSASCII.isBlank(bytes[line.lowerBound + prefixCount]) else {
            throw NATSProtocolError(.invalidHeader, "the header block starts with \(NATSASCII.quoted(bytes[line])), expected NATS/1.0")
        }
        let rest = NATSASCII.trimmingBlanks(bytes, (line.lowerBound + prefixCount)..<line.upperBound)
        guard !rest.isEmpty else { return }
        var codeEnd = rest.lowerBound
        while codeEnd < rest.upperBound, !NATSASCII.isBlank(bytes[codeEnd]) { codeEnd += 1 }
        let code = bytes[rest.lowerBound..<codeEnd]
        guard code.count == 3, code.first != UInt8(ascii: "0"), let value = NATSASCII.parseDecimal(code) else {
            throw NATSProtocolError(.invalidHeader, "status \(NATSASCII.quoted(code)) is not a three-digit code from 100 to 999")
        }
        status = Int(value)
        statusDescription = String(decoding: bytes[NATSASCII.trimmingBlanks(bytes, codeEnd..<rest.upperBound)], as: UTF8.self)
    }

    /// `Name: Value`, the name without whitespace or control characters.
    private static func parseField(_ bytes: [UInt8], _ line: Range<Int>) throws(NATSProtocolError) -> NATSHeaderField {
        guard !NATSASCII.isBlank(bytes[line.lowerBound]) else {
            throw NATSProtocolError(
                .invalidHeader, "header line \(NATSASCII.quoted(bytes[line])) starts with a blank; folded lines are not supported")
        }
        guard let colon = bytes[line].firstIndex(of: NATSASCII.colon) else {
            throw NATSProtocolError(.invalidHeader, "header line \(NATSASCII.quoted(bytes[line])) has no ':'")
        }
        let name = bytes[line.lowerBound..<colon]
        guard !name.isEmpty, !name.contains(where: NATSASCII.isSpaceOrControl) else {
            throw NATSProtocolError(
                .invalidHeader, "header name \(NATSASCII.quoted(name)) is empty or contains whitespace or a control character")
        }
        let value = NATSASCII.trimmingBlanks(bytes, (colon + 1)..<line.upperBound)
        return NATSHeaderField(
            name: String(decoding: name, as: UTF8.self),
            value: String(decoding: bytes[value], as: UTF8.self))
    }
}

extension NATSHeaders {
    /// Cuts a header block into lines, each without its CRLF or LF; the last line may be
    /// unterminated.
    private struct LineReader {
        /// The bytes holding the block.
        let bytes: [UInt8]
        /// Where the next line starts.
        var index: Int
        /// The end of the block.
        let end: Int

        /// The next line's range without its line end, or `nil` at the end of the block.
        mutating func nextLine() -> Range<Int>? {
            guard index < end else { return nil }
            let start = index
            var lineEnd = bytes[start..<end].firstIndex(of: NATSASCII.lf) ?? end
            index = lineEnd < end ? lineEnd + 1 : end
            if lineEnd > start, bytes[lineEnd - 1] == NATSASCII.cr { lineEnd -= 1 }
            return start..<lineEnd
        }
    }
}
