/// One TLS query option of a secure URL (`rediss://`, `amqps://`): ours (`ca_file`) or a Python
/// client's name for the same setting (redis-py's `ssl_ca_certs`, aio-pika's `cafile`), so that
/// one URL string configures Swift and Python alike.
///
/// Each name is declared once, here; ``TLSURLOptions`` says which names a scheme accepts. Two
/// names for one ``Setting`` in the same URL are an error rather than one silently winning.
package struct TLSURLOption: Sendable {
    /// What an option sets; the names of one setting are aliases of each other. Applied in
    /// this order, so that the host-name check sees whether verification is on.
    package enum Setting: Int, Sendable, Comparable {
        case caFile, certFile, keyFile, serverName, verification, hostNameCheck

        package static func < (lhs: Setting, rhs: Setting) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The name in the query string.
    package let name: Substring
    /// What it sets.
    package let setting: Setting
    /// Sets `value` (percent-decoded, non-empty) on the configuration; returns what is wrong with it.
    package let apply: @Sendable (inout TLSConfiguration, String) -> String?

    /// Ours, accepted by every secure scheme.
    package static let ours: [TLSURLOption] = [
        TLSURLOption(name: "ca_file", setting: .caFile) {
            $0.caFile = $1
            return nil
        },
        TLSURLOption(name: "cert_file", setting: .certFile) {
            $0.certFile = $1
            return nil
        },
        TLSURLOption(name: "key_file", setting: .keyFile) {
            $0.keyFile = $1
            return nil
        },
        TLSURLOption(name: "server_name", setting: .serverName) {
            $0.serverName = $1
            return nil
        },
        TLSURLOption(name: "insecure_skip_verify", setting: .verification) { configuration, value in
            guard let skip = Bool(value) else { return "insecure_skip_verify '\(value)' is not true or false" }
            configuration.insecureSkipVerify = skip
            return nil
        },
    ]

    /// redis-py's names (`redis.connection.SSLConnection`), in the order of ours.
    package static let redisPy: [TLSURLOption] = [
        TLSURLOption(name: "ssl_ca_certs", setting: .caFile) {
            $0.caFile = $1
            return nil
        },
        TLSURLOption(name: "ssl_certfile", setting: .certFile) {
            $0.certFile = $1
            return nil
        },
        TLSURLOption(name: "ssl_keyfile", setting: .keyFile) {
            $0.keyFile = $1
            return nil
        },
        // Python's ssl.CERT_OPTIONAL verifies a server's certificate exactly as CERT_REQUIRED does
        // on a client socket; only `none` turns verification off (and is logged, as ours is).
        TLSURLOption(name: "ssl_cert_reqs", setting: .verification) { configuration, value in
            switch value.lowercased() {
            case "required", "optional": configuration.insecureSkipVerify = false
            case "none": configuration.insecureSkipVerify = true
            default: return "ssl_cert_reqs '\(value)' is not required, optional or none"
            }
            return nil
        },
        // Checking the chain but not the name has no equivalent here: it would accept any
        // certificate the CA ever signed. `server_name` names the host the certificate carries.
        TLSURLOption(name: "ssl_check_hostname", setting: .hostNameCheck) { configuration, value in
            switch value.lowercased() {
            case "true", "t", "yes", "y", "on", "1":
                return nil
            case "false", "f", "no", "n", "off", "0":
                if configuration.insecureSkipVerify { return nil }
                return
                    "ssl_check_hostname=false (the certificate checked but not its host name) is not supported; set server_name to the name the server's certificate carries, or ssl_cert_reqs=none for development"
            default:
                return "ssl_check_hostname '\(value)' is not true or false"
            }
        },
    ]

    /// aio-pika's names (aiormq reads them from the `amqps://` URL's query), in the order of ours.
    package static let aioPika: [TLSURLOption] = [
        TLSURLOption(name: "cafile", setting: .caFile) {
            $0.caFile = $1
            return nil
        },
        TLSURLOption(name: "certfile", setting: .certFile) {
            $0.certFile = $1
            return nil
        },
        TLSURLOption(name: "keyfile", setting: .keyFile) {
            $0.keyFile = $1
            return nil
        },
        // aiormq verifies when the value is "0" and skips verification for anything else; only
        // the two values that cannot be misread are accepted.
        TLSURLOption(name: "no_verify_ssl", setting: .verification) { configuration, value in
            switch value {
            case "0": configuration.insecureSkipVerify = false
            case "1": configuration.insecureSkipVerify = true
            default: return "no_verify_ssl '\(value)' is not 0 or 1"
            }
            return nil
        },
    ]
}
