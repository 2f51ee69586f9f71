/// The TLS query options one secure URL scheme accepts, and the reading of them from a URL's
/// query into a ``TLSConfiguration``: one parser for `rediss://` and `amqps://`.
///
/// ```swift
/// var tls = TLSURLOptions.amqp.reader()
/// for (key, value) in query where try !tls.read(key, value) { ... the scheme's own options ... }
/// configuration.tls = try tls.configuration(isSecure: scheme == "amqps")
/// ```
package struct TLSURLOptions: Sendable {
    /// Why a URL's TLS options cannot be used, as a sentence for the URL's error message.
    package struct Problem: Error, Sendable {
        /// What is wrong.
        package var message: String
    }

    /// The secure scheme, without `://` (`rediss`), for messages.
    package let secureScheme: String
    /// Every option this scheme accepts, grouped by setting: ours first, then the aliases.
    package let all: [TLSURLOption]
    /// ``all`` by name.
    package let named: [Substring: TLSURLOption]
    /// Keys refused although no option has their name: they would change how the connection is
    /// secured, so ignoring them would be silently wrong.
    private let refuses: @Sendable (Substring) -> Bool

    /// Creates a set of options; `refuses` names the keys refused without being options.
    package init(secureScheme: String, options: [TLSURLOption], refuses: @escaping @Sendable (Substring) -> Bool) {
        self.secureScheme = secureScheme
        self.all = options.enumerated()
            .sorted { ($0.element.setting, $0.offset) < ($1.element.setting, $1.offset) }
            .map(\.element)
        self.named = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
        self.refuses = refuses
    }

    /// `rediss://`: ours and redis-py's names; any other `ssl_` key is refused (other redis-py
    /// options, such as `socket_timeout`, are left to Python).
    package static let redis = TLSURLOptions(secureScheme: "rediss", options: TLSURLOption.ours + TLSURLOption.redisPy) {
        $0.hasPrefix("ssl_")
    }

    /// `amqps://`: ours and aio-pika's names; aiormq's `capath` and `cadata` are refused (a CA
    /// directory or inline CAs: put them in one PEM file and give it as `ca_file`).
    package static let amqp = TLSURLOptions(secureScheme: "amqps", options: TLSURLOption.ours + TLSURLOption.aioPika) {
        $0 == "capath" || $0 == "cadata"
    }

    /// A reader for one URL's query.
    package func reader() -> Reader { Reader(options: self) }

    /// Collects the TLS options of one URL's query, then applies them.
    package struct Reader: Sendable {
        let options: TLSURLOptions
        /// The options read so far, with their decoded values, in the URL's order.
        package private(set) var given: [(option: TLSURLOption, value: String)] = []

        /// Reads `key=text` when `key` is a TLS option of this scheme.
        /// - Returns: `false` for a key that is none of them, which the caller reads or refuses.
        /// - Throws: ``Problem`` for a refused key, an empty or badly percent-encoded value, or a
        ///   setting given twice (under one name or two).
        package mutating func read(_ key: Substring, _ text: Substring) throws(Problem) -> Bool {
            guard let option = options.named[key] else {
                if options.refuses(key) {
                    throw Problem(
                        message: "\(key) is not supported; the TLS options are \(options.all.map(\.name).joined(separator: ", "))")
                }
                return false
            }
            guard let value = PercentEncoding.decoded(text), !value.isEmpty else {
                throw Problem(message: "\(key) is empty or badly percent-encoded")
            }
            if let earlier = given.first(where: { $0.option.setting == option.setting })?.option.name {
                throw Problem(message: earlier == key ? "\(key) is given twice" : "\(earlier) and \(key) set the same thing; give only one")
            }
            given.append((option, value))
            return true
        }

        /// The configuration the options read describe: `nil` for a plain scheme.
        /// - Parameter isSecure: Whether the URL's scheme is the secure one.
        /// - Throws: ``Problem`` for a value an option refuses, a certificate without its key (or
        ///   the reverse), or any TLS option on a plain scheme, so TLS is never silently off.
        package func configuration(isSecure: Bool) throws(Problem) -> TLSConfiguration? {
            var tls = TLSConfiguration()
            // In the order of the settings, not of the URL: whether a name check may be off depends on verification.
            for (option, value) in given.sorted(by: { $0.option.setting < $1.option.setting }) {
                if let problem = option.apply(&tls, value) { throw Problem(message: problem) }
            }
            guard isSecure else {
                guard let first = given.first else { return nil }
                throw Problem(message: "\(first.option.name) is a TLS option; use \(options.secureScheme):// to connect with TLS")
            }
            guard (tls.certFile == nil) == (tls.keyFile == nil) else {
                throw Problem(message: "cert_file and key_file go together; only one is set")
            }
            return tls
        }
    }
}
