/// The rules the server applies to subjects and queue group names, checked before they are
/// written so that a bad name fails at the call rather than as a `-ERR` from the server.
package enum NATSSubject {
    /// Checks a subject: non-empty, no whitespace or control characters, no empty tokens
    /// (`a..b`, or a leading or trailing `.`).
    ///
    /// - Parameters:
    ///   - subject: The subject, such as `taskiq_tasks` or `$JS.API.STREAM.INFO.taskiq_jetstream`.
    ///   - wildcards: Whether the tokens `*` (one token) and `>` (the rest, last token only) are
    ///     allowed, as in a subscription. When `false` (publishing) they are refused.
    /// - Throws: ``NATSProtocolError`` with code `.invalidSubject` naming what is wrong.
    package static func validate(_ subject: String, wildcards: Bool = false) throws(NATSProtocolError) {
        guard !subject.isEmpty else {
            throw NATSProtocolError(.invalidSubject, "the subject is empty")
        }
        let bytes = subject.utf8
        if bytes.contains(where: NATSASCII.isSpaceOrControl) {
            throw NATSProtocolError(.invalidSubject, "subject \"\(subject)\" contains whitespace or a control character")
        }
        var tokenStart = bytes.startIndex
        var tokenLength = 0
        var index = bytes.startIndex
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == UInt8(ascii: ".") {
                guard tokenLength > 0 else {
                    throw NATSProtocolError(
                        .invalidSubject, "subject \"\(subject)\" has an empty token (\"..\", or a leading or trailing \".\")")
                }
                if tokenLength == 1 {
                    let token = bytes[tokenStart]
                    if token == UInt8(ascii: "*") || token == UInt8(ascii: ">") {
                        guard wildcards else {
                            throw NATSProtocolError(
                                .invalidSubject,
                                "subject \"\(subject)\" has the wildcard \"\(UnicodeScalar(token))\", which is only allowed in subscriptions"
                            )
                        }
                        guard token == UInt8(ascii: "*") || atEnd else {
                            throw NATSProtocolError(.invalidSubject, "subject \"\(subject)\" has \">\" before its last token")
                        }
                    }
                }
                if atEnd { return }
                tokenLength = 0
                tokenStart = bytes.index(after: index)
            } else {
                tokenLength += 1
            }
            index = bytes.index(after: index)
        }
    }

    /// Checks a queue group name: non-empty, no whitespace or control characters.
    ///
    /// - Parameter name: The queue group, such as `taskiq_workers`.
    /// - Throws: ``NATSProtocolError`` with code `.invalidSubject` naming what is wrong.
    package static func validateQueueGroup(_ name: String) throws(NATSProtocolError) {
        guard !name.isEmpty else {
            throw NATSProtocolError(.invalidSubject, "the queue group name is empty")
        }
        if name.utf8.contains(where: NATSASCII.isSpaceOrControl) {
            throw NATSProtocolError(.invalidSubject, "queue group \"\(name)\" contains whitespace or a control character")
        }
    }
}
