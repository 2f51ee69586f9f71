import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JetStream key-value bucket, laid out as nats-py and nats.go lay theirs out: the stream
/// `KV_<bucket>` over `$KV.<bucket>.>`, one value per key (the last message on its subject),
/// deletes and purges as messages with a `KV-Operation` header.
package struct NATSKeyValueBucket: Sendable {
    /// A stored value.
    package struct Entry: Sendable {
        /// The value's bytes.
        package var value: [UInt8]
        /// Its revision (the stream sequence).
        package var revision: UInt64
    }

    /// The bucket's name.
    package let name: String
    /// The JetStream API it goes through.
    package let jetStream: JetStream

    /// The bucket's stream.
    package var stream: String { "KV_\(name)" }

    /// The subject of a key.
    package func subject(_ key: String) -> String { "$KV.\(name).\(key)" }

    /// A bucket handle; nothing is created before ``create(ttl:replicas:memoryStorage:logger:)``.
    package init(name: String, jetStream: JetStream) throws(NATSClientError) {
        guard !name.isEmpty, name.utf8.count <= 240,
            name.unicodeScalars.allSatisfy({
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_"
            })
        else {
            throw NATSClientError(
                .invalidArgument, message: "bucket '\(name)' is not a NATS key-value bucket name: letters, digits, '-' and '_' only")
        }
        self.name = name
        self.jetStream = jetStream
    }

    /// Creates the bucket's stream (or uses the one there) with nats-py's settings.
    /// - Parameter ttl: How long a value lives; `nil` forever.
    package func create(ttl: Duration?, replicas: Int, memoryStorage: Bool, logger: Logger) async throws {
        var config: JSONObject = [
            "name": .string(stream), "subjects": [.string("$KV.\(name).>")], "retention": "limits", "max_msgs_per_subject": 1,
            "max_bytes": -1, "max_msg_size": -1, "storage": memoryStorage ? "memory" : "file", "num_replicas": .int(replicas),
            "allow_rollup_hdrs": true, "deny_delete": true, "discard": "new", "allow_direct": true,
            "max_age": .int(Int(ttl?.nanoseconds ?? 0)),
        ]
        if let ttl, ttl < .seconds(120) { config["duplicate_window"] = .int(Int(ttl.nanoseconds)) }
        try await jetStream.ensureStream(config, logger: logger)
    }

    /// A key for any text: itself when NATS allows it (`[-/_=.a-zA-Z0-9]`, no empty tokens),
    /// else `b64_` and its URL-safe base64, so every task ID has a key of its own.
    package static func key(for text: String) -> String {
        let allowed = text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "/")
                || byte == UInt8(ascii: ".")
        }
        if allowed, !text.isEmpty, !text.hasPrefix("."), !text.hasSuffix("."), !text.contains(".."), !text.hasPrefix("b64_") { return text }
        let encoded = Data(text.utf8).base64EncodedString().compactMap { character -> Character? in
            switch character {
            case "+": "-"
            case "/": "_"
            case "=": nil
            default: character
            }
        }
        return "b64_" + String(encoded)
    }

    /// Stores a value; returns its revision once the stream acknowledged it.
    @discardableResult
    package func put(_ key: String, _ value: [UInt8]) async throws -> UInt64 {
        try await jetStream.publish(subject(key), payload: value).sequence
    }

    /// The value of a key, or `nil` when it has none (never set, deleted or purged, or expired).
    package func get(_ key: String) async throws -> Entry? {
        guard let message = try await jetStream.lastMessage(stream: stream, subject: subject(key)) else { return nil }
        if Self.isRemoval(message.headers) { return nil }
        return Entry(value: message.payload, revision: message.sequence)
    }

    /// Removes a key's values (a purge marker that rolls the subject up).
    package func purge(_ key: String) async throws {
        var headers = NATSHeaders()
        headers.append(name: "KV-Operation", value: "PURGE")
        headers.append(name: "Nats-Rollup", value: "sub")
        _ = try await jetStream.publish(subject(key), headers: headers, payload: [])
    }

    /// Whether a message on a key's subject removes the key rather than setting it.
    package static func isRemoval(_ headers: NATSHeaders?) -> Bool {
        guard let operation = headers?["KV-Operation"] else { return false }
        return operation == "DEL" || operation == "PURGE"
    }
}
