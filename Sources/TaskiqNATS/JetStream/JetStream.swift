import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JetStream API over a ``NATSClient``: requests to `$JS.API.*` with JSON bodies, and
/// publishes that wait for the stream's acknowledgement.
package struct JetStream: Sendable {
    /// A publish the stream stored.
    package struct PubAck: Sendable, Equatable {
        /// The stream that stored it.
        package var stream: String
        /// Its sequence number in the stream.
        package var sequence: UInt64
        /// Whether the stream had it already (same `Nats-Msg-Id` inside the duplicate window).
        package var duplicate: Bool
    }

    /// A message read back from a stream (`STREAM.MSG.GET`).
    package struct StoredMessage: Sendable {
        /// The subject it was published to.
        package var subject: String
        /// Its sequence number.
        package var sequence: UInt64
        /// Its headers, if any.
        package var headers: NATSHeaders?
        /// Its payload.
        package var payload: [UInt8]
    }

    /// The client the requests go through.
    package let client: NATSClient
    /// How long an API request or a publish waits for its answer.
    package var timeout: Duration

    /// A JetStream API on `client`.
    package init(client: NATSClient, timeout: Duration = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    /// Sends one API request and returns the answer's JSON object.
    /// - Throws: ``NATSClientError`` `jetStreamError` with the server's code and description,
    ///   `noResponders` when JetStream is not enabled, or the request's error.
    package func api(_ subject: String, _ body: JSONValue? = nil) async throws -> JSONObject {
        let payload = body.map { $0.serialized(style: .compact) } ?? []
        let reply: NATSMessage
        do {
            reply = try await client.request("$JS.API.\(subject)", payload: payload, timeout: timeout)
        } catch let error as NATSClientError where error.code == .noResponders {
            throw NATSClientError(
                .noResponders,
                message: "the NATS server answers no JetStream API request ($JS.API.\(subject)); is JetStream enabled (nats-server -js)?",
                status: 503)
        }
        return try Self.object(reply.payload, from: "$JS.API.\(subject)")
    }

    /// A JSON answer as an object, or the JetStream error it carries.
    static func object(_ payload: [UInt8], from subject: String) throws(NATSClientError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser().parse(payload)
        } catch {
            throw NATSClientError(.protocolViolation, message: "the answer to \(subject) is not JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw NATSClientError(.protocolViolation, message: "the answer to \(subject) is not a JSON object")
        }
        if let error = object["error"]?.objectValue {
            let description = error["description"]?.stringValue ?? "unknown error"
            throw NATSClientError(
                .jetStreamError, message: "\(subject): \(description)", status: error["code"]?.intValue,
                apiErrorCode: error["err_code"]?.intValue)
        }
        return object
    }

    /// Publishes and waits for the stream's acknowledgement.
    /// - Throws: `noResponders` when no stream takes `subject`, `jetStreamError`, `timeout`.
    package func publish(_ subject: String, headers: NATSHeaders? = nil, payload: [UInt8], timeout: Duration? = nil) async throws -> PubAck
    {
        let reply = try await store(subject, headers: headers, payload: payload, timeout: timeout, checked: false)
        let object = try Self.object(reply.payload, from: "a publish to \(subject)")
        guard let stream = object["stream"]?.stringValue, let sequence = object["seq"]?.intValue, sequence >= 0 else {
            throw NATSClientError(.protocolViolation, message: "the acknowledgement of a publish to \(subject) has no stream and seq")
        }
        return PubAck(stream: stream, sequence: UInt64(sequence), duplicate: object["duplicate"]?.boolValue ?? false)
    }

    /// Publishes and waits for the stream's acknowledgement without decoding it unless it is an
    /// error: a kick needs only to know that the stream stored the message.
    /// - Parameter checked: `subject` was validated already.
    package func publishAcknowledged(
        _ subject: String, headers: NATSHeaders? = nil, payload: [UInt8], timeout: Duration? = nil,
        checked: Bool
    ) async throws {
        let reply = try await store(subject, headers: headers, payload: payload, timeout: timeout, checked: checked)
        if Self.mayBeError(reply.payload) || reply.payload.first != UInt8(ascii: "{") {
            _ = try Self.object(reply.payload, from: "a publish to \(subject)")
        }
    }

    /// Whether an answer mentions `"error"` (the only answers worth decoding on the fast path).
    static func mayBeError(_ payload: [UInt8]) -> Bool {
        let needle = Array(#""error""#.utf8)
        guard payload.count >= needle.count else { return false }
        return payload.withUnsafeBufferPointer { bytes in
            for start in 0...(bytes.count - needle.count) where bytes[start] == 0x22 {
                if needle.indices.allSatisfy({ bytes[start + $0] == needle[$0] }) { return true }
            }
            return false
        }
    }

    private func store(_ subject: String, headers: NATSHeaders?, payload: [UInt8], timeout: Duration?, checked: Bool) async throws
        -> NATSMessage
    {
        do {
            return try await client.request(subject, headers: headers, payload: payload, timeout: timeout ?? self.timeout, checked: checked)
        } catch let error as NATSClientError where error.code == .noResponders {
            throw NATSClientError(.noResponders, message: "no JetStream stream stores subject '\(subject)' (status 503)", status: 503)
        }
    }

    /// Creates a stream, or leaves an existing one as it is.
    /// - Returns: The stream's configuration as the server holds it.
    /// - Throws: What the server refuses other than "already in use with another configuration"
    ///   (10058), which is logged: the stream is used as it is, as taskiq-nats does.
    @discardableResult
    package func ensureStream(_ config: JSONObject, logger: Logger) async throws -> JSONObject {
        let name = config["name"]?.stringValue ?? ""
        do {
            let created = try await api("STREAM.CREATE.\(name)", .object(config))
            return created["config"]?.objectValue ?? config
        } catch let error as NATSClientError where error.apiErrorCode == 10058 {
            let info = try await api("STREAM.INFO.\(name)")
            let existing = info["config"]?.objectValue ?? [:]
            let differences = config.compactMap { key, value -> String? in
                guard let held = existing[key], held != value, !(held.isNull && value.isNull) else { return nil }
                return "\(key) \(held.serialized(style: .compact).asString) (wanted \(value.serialized(style: .compact).asString))"
            }
            logger.warning(
                "JetStream stream '\(name)' exists with another configuration; using it as it is: \(differences.joined(separator: ", "))")
            return existing
        }
    }

    /// Creates a durable consumer through the legacy durable API that nats-py uses, so Swift and
    /// Python processes agree on it — only when it does not exist: nats-server 2.9 answers a
    /// create of an existing durable with success but starts the delivery counts of its pending
    /// messages afresh, which would hide how often a message was delivered.
    /// - Parameter logger: Told when the existing consumer's settings differ from `config`.
    @discardableResult
    package func ensureDurableConsumer(stream: String, config: JSONObject, logger: Logger) async throws -> JSONObject {
        let durable = config["durable_name"]?.stringValue ?? ""
        do {
            let info = try await api("CONSUMER.INFO.\(stream).\(durable)")
            let existing = info["config"]?.objectValue ?? [:]
            let differences = ["ack_policy", "deliver_policy", "ack_wait", "filter_subject"].compactMap { key -> String? in
                guard let wanted = config[key], wanted != .int(0), let held = existing[key], held != wanted else { return nil }
                return "\(key) \(held.serialized(style: .compact).asString) (wanted \(wanted.serialized(style: .compact).asString))"
            }
            if !differences.isEmpty {
                logger.warning(
                    "JetStream consumer '\(durable)' on stream '\(stream)' exists with other settings; using it as it is: \(differences.joined(separator: ", "))"
                )
            }
            return info
        } catch let error as NATSClientError where error.apiErrorCode == 10014 || error.status == 404 {
            let body: JSONValue = ["stream_name": .string(stream), "config": .object(config)]
            return try await api("CONSUMER.DURABLE.CREATE.\(stream).\(durable)", body)
        }
    }

    /// The last message on `subject` in `stream`, or `nil` when there is none.
    package func lastMessage(stream: String, subject: String) async throws -> StoredMessage? {
        do {
            let answer = try await api("STREAM.MSG.GET.\(stream)", ["last_by_subj": .string(subject)])
            return try Self.stored(answer, stream: stream)
        } catch let error as NATSClientError where error.apiErrorCode == 10037 || error.status == 404 {
            return nil
        }
    }

    /// The message with a sequence number, or `nil` when there is none.
    package func message(stream: String, sequence: UInt64) async throws -> StoredMessage? {
        do {
            let answer = try await api("STREAM.MSG.GET.\(stream)", ["seq": JSONValue(integer: sequence)])
            return try Self.stored(answer, stream: stream)
        } catch let error as NATSClientError where error.apiErrorCode == 10037 || error.status == 404 {
            return nil
        }
    }

    /// The first message at or after `sequence` (on `subject` when given), or `nil` past the end.
    package func nextMessage(stream: String, from sequence: UInt64, subject: String? = nil) async throws -> StoredMessage? {
        let body: JSONObject = ["seq": JSONValue(integer: sequence), "next_by_subj": .string(subject ?? ">")]
        do {
            let answer = try await api("STREAM.MSG.GET.\(stream)", .object(body))
            return try Self.stored(answer, stream: stream)
        } catch let error as NATSClientError where error.apiErrorCode == 10037 || error.status == 404 {
            return nil
        }
    }

    /// Deletes one message; returns whether it was there.
    @discardableResult
    package func deleteMessage(stream: String, sequence: UInt64) async throws -> Bool {
        do {
            let answer = try await api("STREAM.MSG.DELETE.\(stream)", ["seq": JSONValue(integer: sequence), "no_erase": true])
            return answer["success"]?.boolValue ?? false
        } catch let error as NATSClientError where error.apiErrorCode == 10057 || error.status == 404 {
            return false
        }
    }

    /// Purges a stream (only `subject` when given); returns how many messages went.
    @discardableResult
    package func purge(stream: String, subject: String? = nil) async throws -> Int {
        let body: JSONValue? = subject.map { ["filter": .string($0)] }
        let answer = try await api("STREAM.PURGE.\(stream)", body)
        return answer["purged"]?.intValue ?? 0
    }

    /// Decodes a `STREAM.MSG.GET` answer.
    static func stored(_ answer: JSONObject, stream: String) throws(NATSClientError) -> StoredMessage {
        guard let message = answer["message"]?.objectValue, let subject = message["subject"]?.stringValue,
            let sequence = message["seq"]?.intValue, sequence >= 0
        else {
            throw NATSClientError(.protocolViolation, message: "a message read from stream \(stream) has no subject or seq")
        }
        let payload = try bytes(message["data"], what: "data", stream: stream)
        var headers: NATSHeaders?
        if message["hdrs"] != nil {
            let block = try bytes(message["hdrs"], what: "hdrs", stream: stream)
            do throws(NATSProtocolError) {
                headers = try NATSHeaders(parsing: block)
            } catch {
                throw NATSClientError(.protocolViolation, message: "a message read from stream \(stream) has bad headers: \(error.message)")
            }
        }
        return StoredMessage(subject: subject, sequence: UInt64(sequence), headers: headers, payload: payload)
    }

    private static func bytes(_ value: JSONValue?, what: String, stream: String) throws(NATSClientError) -> [UInt8] {
        guard let text = value?.stringValue, !text.isEmpty else { return [] }
        guard let data = Data(base64Encoded: text) else {
            throw NATSClientError(.protocolViolation, message: "the \(what) of a message read from stream \(stream) is not base64")
        }
        return [UInt8](data)
    }
}

extension [UInt8] {
    /// The bytes as UTF-8 text, for messages.
    var asString: String { String(decoding: self, as: UTF8.self) }
}
