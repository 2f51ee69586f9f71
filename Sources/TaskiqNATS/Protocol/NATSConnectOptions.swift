import Taskiq

/// What the client says about itself in `CONNECT {json}`.
///
/// nats-py sends `{"echo": true, "headers": true, "lang": "python3", "no_responders": true,
/// "pedantic": false, "protocol": 1, "verbose": false, "version": "2.16.0"}`; the defaults here
/// match it. `headers` must be on for HPUB/HMSG, and `no_responders` (which needs headers) makes
/// a request nobody answers come back as a `503` status message instead of timing out.
package struct NATSConnectOptions: Sendable, Equatable {
    /// `verbose`: whether the server acknowledges every operation with `+OK`.
    package var verbose = false
    /// `pedantic`: whether the server checks subjects and operations more strictly.
    package var pedantic = false
    /// `tls_required`: whether the client requires TLS.
    package var tlsRequired = false
    /// `user`: the user name for user/password authentication; omitted when `nil`.
    package var user: String?
    /// `pass`: the password for user/password authentication; omitted when `nil`.
    package var password: String?
    /// `auth_token`: the token for token authentication; omitted when `nil`.
    package var authToken: String?
    /// `name`: the connection name shown by server monitoring; omitted when `nil`.
    package var name: String?
    /// `lang`: the client's implementation language.
    package var lang = "swift"
    /// `version`: the client's version.
    package var version = "0.1.0"
    /// `echo`: whether the server delivers our own publishes to our matching subscriptions.
    package var echo = true
    /// `headers`: whether the client supports HPUB and HMSG.
    package var headers = true
    /// `no_responders`: whether a request with no subscriber returns a `503` status message.
    package var noResponders = true

    /// The protocol level sent as `protocol`: 1 lets the server send INFO again at any time.
    package static let protocolLevel = 1

    /// Options at their defaults.
    package init() {}

    /// The JSON object sent after `CONNECT`, compact, keys in a fixed order, `nil` fields omitted.
    package func json() -> [UInt8] {
        var object: [(String, JSONValue)] = [
            ("verbose", .bool(verbose)),
            ("pedantic", .bool(pedantic)),
            ("tls_required", .bool(tlsRequired)),
        ]
        if let user { object.append(("user", .string(user))) }
        if let password { object.append(("pass", .string(password))) }
        if let authToken { object.append(("auth_token", .string(authToken))) }
        if let name { object.append(("name", .string(name))) }
        object += [
            ("lang", .string(lang)),
            ("version", .string(version)),
            ("protocol", .int(Self.protocolLevel)),
            ("echo", .bool(echo)),
            ("headers", .bool(headers)),
            ("no_responders", .bool(noResponders)),
        ]
        return JSONWriter(style: .compact).serialize(.object(JSONObject(object)))
    }
}
