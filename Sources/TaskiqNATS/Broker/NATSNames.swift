import Taskiq

/// Checks of the names a broker's options carry, as errors that say which option is wrong.
enum NATSNames {
    /// A subject to publish to: no wildcards, no spaces, no empty tokens.
    static func checkSubject(_ subject: String, what: String) throws(NATSClientError) {
        do throws(NATSProtocolError) {
            try NATSSubject.validate(subject, wildcards: false)
        } catch {
            throw NATSClientError(.invalidArgument, message: "\(what) '\(subject)' is not a NATS subject: \(error.message)")
        }
    }

    /// A queue group name.
    static func checkQueueGroup(_ name: String) throws(NATSClientError) {
        do throws(NATSProtocolError) {
            try NATSSubject.validateQueueGroup(name)
        } catch {
            throw NATSClientError(.invalidArgument, message: "queue group '\(name)' is not usable: \(error.message)")
        }
    }

    /// A stream or consumer name: what JetStream accepts (no `.`, `*`, `>`, spaces or path separators).
    static func checkName(_ name: String, what: String) throws(NATSClientError) {
        let bad = name.unicodeScalars.first {
            $0 == "." || $0 == "*" || $0 == ">" || $0 == "/" || $0 == "\\" || $0.value <= 0x20 || $0.value == 0x7F
        }
        guard !name.isEmpty, name.utf8.count <= 255, bad == nil else {
            throw NATSClientError(
                .invalidArgument,
                message: "\(what) '\(name)' is not a JetStream name: 1-255 bytes without '.', '*', '>', '/', '\\' or spaces")
        }
    }
}

extension NATSHeaders {
    /// The labels as headers, the way taskiq-nats sends them: every label's text (taskiq's
    /// `prepare_label`). A label whose name or text cannot be a header (a line break, a colon in
    /// the name) is left out: the message body carries every label anyway.
    init(labels: [String: JSONValue]) {
        self.init()
        for (name, value) in labels.sorted(by: { $0.key < $1.key }) {
            let text = value.stringValue ?? value.pythonRepr
            guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: ":") || $0 == 0x7F }),
                !text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A })
            else { continue }
            append(name: name, value: text)
        }
    }
}
