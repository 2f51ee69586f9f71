import Taskiq

/// What the server says about itself in `INFO {json}`: sent first on every connection, and
/// again when the cluster changes or the server enters lame duck mode.
///
/// Decoded with Taskiq's own ``JSONParser``. Unknown keys are ignored and missing (or `null`)
/// ones get the defaults below, so servers old and new decode; a known key of the wrong type is
/// an error, because the client would act on a value it did not understand.
package struct NATSServerInfo: Sendable, Equatable {
    /// `server_id`: the server's unique id; empty by default.
    package var serverID: String = ""
    /// `server_name`: the configured name (the id when none); empty by default.
    package var serverName: String = ""
    /// `version`: the server's version, such as `2.9.10`; empty by default.
    package var version: String = ""
    /// `proto`: the protocol level; 1 supports async INFO. 0 by default.
    package var proto: Int = 0
    /// `host`: the address the server listens on; empty by default.
    package var host: String = ""
    /// `port`: the port the server listens on; 0 by default.
    package var port: Int = 0
    /// `headers`: whether the server supports HPUB/HMSG; false by default.
    package var headers: Bool = false
    /// `max_payload`: the largest payload the server accepts, in bytes; 1 MiB (the server's own
    /// default) when missing.
    package var maxPayload: Int = 1_048_576
    /// `jetstream`: whether JetStream is enabled; false by default.
    package var jetstream: Bool = false
    /// `auth_required`: whether CONNECT must carry credentials; false by default.
    package var authRequired: Bool = false
    /// `tls_required`: whether the connection must be upgraded to TLS; false by default.
    package var tlsRequired: Bool = false
    /// `tls_available`: whether the connection may be upgraded to TLS; false by default.
    package var tlsAvailable: Bool = false
    /// `connect_urls`: other servers of the cluster a client may reconnect to (`host:port`).
    package var connectURLs: [String] = []
    /// `ldm`: the server is in lame duck mode and will close connections soon.
    package var lameDuckMode: Bool = false
    /// `nonce`: the challenge to sign for nkey or JWT authentication, when the server sent one.
    package var nonce: String?
    /// `client_id`: the id the server gave this connection, when it sent one.
    package var clientID: UInt64?

    /// Information with every field at its default, to be filled in by hand (tests, fakes).
    package init() {}

    /// Decodes the JSON object of an `INFO` line.
    ///
    /// - Parameter json: The UTF-8 bytes after `INFO `, without the line end.
    /// - Throws: ``NATSProtocolError`` with code `.malformed` when the bytes are not a JSON
    ///   object or a known key has a value of the wrong type.
    package init(json: some Collection<UInt8>) throws(NATSProtocolError) {
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: 32).parse(json)
        } catch {
            throw NATSProtocolError(.malformed, "INFO is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw NATSProtocolError(.malformed, "INFO carries a JSON \(value.typeName), expected an object")
        }
        let fields = Fields(object: object)
        serverID = try fields.string("server_id") ?? serverID
        serverName = try fields.string("server_name") ?? serverName
        version = try fields.string("version") ?? version
        proto = try fields.int("proto") ?? proto
        host = try fields.string("host") ?? host
        port = try fields.int("port") ?? port
        headers = try fields.bool("headers") ?? headers
        maxPayload = try fields.int("max_payload") ?? maxPayload
        jetstream = try fields.bool("jetstream") ?? jetstream
        authRequired = try fields.bool("auth_required") ?? authRequired
        tlsRequired = try fields.bool("tls_required") ?? tlsRequired
        tlsAvailable = try fields.bool("tls_available") ?? tlsAvailable
        connectURLs = try fields.strings("connect_urls") ?? connectURLs
        lameDuckMode = try fields.bool("ldm") ?? lameDuckMode
        nonce = try fields.string("nonce")
        clientID = try fields.unsigned("client_id")
    }
}

extension NATSServerInfo {
    /// Typed reads of an INFO object's keys; `nil` for a missing or `null` key.
    private struct Fields {
        /// The decoded INFO object.
        var object: JSONObject

        /// The value of `key`, `nil` when it is missing or `null`.
        private func value(_ key: String) -> JSONValue? {
            guard let value = object[key], !value.isNull else { return nil }
            return value
        }

        /// The error for a key whose value has the wrong type.
        private func mismatch(_ key: String, _ value: JSONValue, _ expected: String) -> NATSProtocolError {
            NATSProtocolError(.malformed, "INFO key \"\(key)\" holds a JSON \(value.typeName), expected \(expected)")
        }

        /// A string value.
        func string(_ key: String) throws(NATSProtocolError) -> String? {
            guard let value = value(key) else { return nil }
            guard let string = value.stringValue else { throw mismatch(key, value, "a string") }
            return string
        }

        /// A boolean value.
        func bool(_ key: String) throws(NATSProtocolError) -> Bool? {
            guard let value = value(key) else { return nil }
            guard let bool = value.boolValue else { throw mismatch(key, value, "a boolean") }
            return bool
        }

        /// An integer value that fits in `Int`.
        func int(_ key: String) throws(NATSProtocolError) -> Int? {
            guard let value = value(key) else { return nil }
            guard case .int(let int) = value else { throw mismatch(key, value, "an integer within 64 bits") }
            return int
        }

        /// A non-negative integer value that fits in `UInt64`.
        func unsigned(_ key: String) throws(NATSProtocolError) -> UInt64? {
            guard let value = value(key) else { return nil }
            switch value {
            case .int(let int) where int >= 0:
                return UInt64(int)
            case .bigInteger(let big):
                if let unsigned = UInt64(big.description) { return unsigned }
            default:
                break
            }
            throw mismatch(key, value, "an integer from 0 to \(UInt64.max)")
        }

        /// An array of strings.
        func strings(_ key: String) throws(NATSProtocolError) -> [String]? {
            guard let value = value(key) else { return nil }
            guard let array = value.arrayValue else { throw mismatch(key, value, "an array of strings") }
            var strings: [String] = []
            strings.reserveCapacity(array.count)
            for element in array {
                guard let string = element.stringValue else {
                    throw mismatch(key, element, "strings in an array")
                }
                strings.append(string)
            }
            return strings
        }
    }
}
