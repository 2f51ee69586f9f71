import Foundation
import Testing

/// Certificates for TLS tests, made once per test process with the `openssl` command in a
/// temporary directory: a private CA, certificates it signed (a server's for `localhost` and
/// `127.0.0.1`, a client's, an expired one, one for another host name) and a second CA that
/// signed none of them.
///
/// ```swift
/// let certificates = try TLSCertificates.shared()
/// try await RedisServer.with(tls: .init(certificates.server, ca: certificates.caFile)) { server in ... }
/// ```
package struct TLSCertificates: Sendable {
    /// A certificate and its private key, as PEM files.
    package struct Pair: Sendable {
        /// The certificate's path.
        package var certFile: String
        /// The private key's path.
        package var keyFile: String
    }

    /// The private CA's certificate: the `ca_file` that verifies every pair below.
    package let caFile: String
    /// A CA certificate that signed none of the pairs.
    package let otherCAFile: String
    /// The server's pair, for `localhost` and `127.0.0.1`.
    package let server: Pair
    /// A client's pair, for mutual TLS.
    package let client: Pair
    /// A server pair for `localhost` that expired in 2020.
    package let expired: Pair
    /// A server pair for `wrong.example.com` only.
    package let wrongHost: Pair

    /// The `openssl` command, if installed.
    package static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/openssl" } + ["/usr/bin/openssl"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether TLS tests run: `redis-server` and `openssl` are installed, or `CI` is set (so
    /// they fail there rather than being skipped).
    package static let shouldRun =
        (RedisServer.executable != nil && executable != nil)
        || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why TLS tests were skipped.
    package static let skipMessage: Comment =
        "redis-server or openssl is not installed; run `apt-get install redis-server openssl` to run the TLS tests"

    private static let made: Result<TLSCertificates, RedisServer.StartError> = Result { () throws(RedisServer.StartError) in try make() }

    /// The process's certificates, made on first use.
    package static func shared() throws -> TLSCertificates { try made.get() }

    private static func make() throws(RedisServer.StartError) -> TLSCertificates {
        guard let openssl = executable else { throw RedisServer.StartError(description: "\(skipMessage)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("taskiq-tls-\(UUID().uuidString.prefix(8))")
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func run(_ arguments: [String]) throws(RedisServer.StartError) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: openssl)
            process.arguments = arguments
            // A file, not a pipe: the end of a pipe waits for every process that inherited it.
            let errorPath = path("openssl-\(arguments[0]).err")
            _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: errorPath) }
            guard let errors = FileHandle(forWritingAtPath: errorPath) else {
                throw RedisServer.StartError(description: "cannot write \(errorPath)")
            }
            defer { try? errors.close() }
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch { throw RedisServer.StartError(description: "cannot run \(openssl): \(error)") }
            process.waitUntilExit()
            let output = FileManager.default.contents(atPath: errorPath) ?? Data()
            guard process.terminationStatus == 0 else {
                throw RedisServer.StartError(
                    description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: output, as: UTF8.self))")
            }
        }
        let config = """
            [ req ]
            distinguished_name = dn
            prompt = no
            [ dn ]
            CN = unused
            [ ca_ext ]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [ test_ca ]
            database = \(path("index.txt"))
            new_certs_dir = \(directory.path)
            serial = \(path("serial"))
            default_md = sha256
            policy = any_name
            copy_extensions = copy
            unique_subject = no
            x509_extensions = leaf_ext
            [ any_name ]
            commonName = supplied
            [ leaf_ext ]
            basicConstraints = CA:FALSE
            authorityKeyIdentifier = keyid

            """
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try config.write(toFile: path("openssl.cnf"), atomically: true, encoding: .utf8)
            try "".write(toFile: path("index.txt"), atomically: true, encoding: .utf8)
            try "1000\n".write(toFile: path("serial"), atomically: true, encoding: .utf8)
        } catch {
            throw RedisServer.StartError(description: "cannot write to \(directory.path): \(error)")
        }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try run(
                ["req", "-x509", "-config", path("openssl.cnf"), "-extensions", "ca_ext"] + newKey
                    + ["-keyout", path("\(ca).key"), "-out", path("\(ca).pem"), "-days", "3650", "-subj", "/CN=Taskiq test \(ca)"])
        }
        func pair(_ name: String, subject: String, extensions: String, dates: [String] = ["-days", "3650"]) throws(RedisServer.StartError)
            -> Pair
        {
            try run(
                ["req", "-new", "-config", path("openssl.cnf")] + newKey
                    + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject, "-addext", extensions])
            try run(
                [
                    "ca", "-batch", "-notext", "-config", path("openssl.cnf"), "-name", "test_ca", "-cert", path("ca.pem"),
                    "-keyfile", path("ca.key"), "-in", path("\(name).csr"), "-out", path("\(name).pem"),
                ] + dates)
            return Pair(certFile: path("\(name).pem"), keyFile: path("\(name).key"))
        }
        return TLSCertificates(
            caFile: path("ca.pem"), otherCAFile: path("other-ca.pem"),
            server: try pair("server", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1"),
            client: try pair("client", subject: "/CN=taskiq-client", extensions: "extendedKeyUsage=clientAuth"),
            expired: try pair(
                "expired", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1",
                dates: ["-startdate", "20200101000000Z", "-enddate", "20200201000000Z"]),
            wrongHost: try pair("wrong-host", subject: "/CN=wrong.example.com", extensions: "subjectAltName=DNS:wrong.example.com"))
    }
}
