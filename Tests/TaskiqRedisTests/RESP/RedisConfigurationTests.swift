import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

extension RESP {
    @Suite struct RedisConfigurationTests {
        struct URLCase: Sendable, CustomTestStringConvertible {
            var url: String
            var host: String
            var port: Int
            var username: String?
            var password: String?
            var database: Int
            var testDescription: String { url }
        }

        static let urls: [URLCase] = [
            URLCase(url: "redis://localhost", host: "localhost", port: 6379, database: 0),
            URLCase(url: "redis://127.0.0.1:6380/2", host: "127.0.0.1", port: 6380, database: 2),
            URLCase(url: "redis://:s3cret@redis.internal", host: "redis.internal", port: 6379, password: "s3cret", database: 0),
            URLCase(
                url: "redis://worker:p%40ss%3Aword@10.0.0.5:7000/15", host: "10.0.0.5", port: 7000, username: "worker",
                password: "p@ss:word", database: 15),
            URLCase(url: "redis://[::1]:6390/1", host: "::1", port: 6390, database: 1),
            URLCase(url: "redis://h:1?db=3", host: "h", port: 1, database: 3),
            URLCase(url: "REDIS://h/", host: "h", port: 6379, database: 0),
            URLCase(url: "redis://", host: "127.0.0.1", port: 6379, database: 0),
        ]

        @Test(arguments: urls)
        func readsURLs(_ expected: URLCase) throws {
            let configuration = try RedisConfiguration(url: expected.url)
            #expect(configuration.host == expected.host)
            #expect(configuration.port == expected.port)
            #expect(configuration.username == expected.username)
            #expect(configuration.password == expected.password)
            #expect(configuration.database == expected.database)
        }

        @Test(arguments: [
            ("localhost:6379", "no scheme"),
            ("rediss://h?ca_file=", "ca_file is empty"),
            ("rediss://h?cert_file=/c.pem", "cert_file and key_file go together"),
            ("rediss://h?insecure_skip_verify=yes", "insecure_skip_verify 'yes' is not true or false"),
            ("redis://h?ca_file=/ca.pem", "ca_file is a TLS option; use rediss://"),
            ("redis://h?ssl_cert_reqs=required", "ssl_cert_reqs is a TLS option; use rediss://"),
            ("rediss://h?ca_file=/a.pem&ssl_ca_certs=/b.pem", "ca_file and ssl_ca_certs set the same thing"),
            ("rediss://h?ssl_cert_reqs=none&insecure_skip_verify=false", "ssl_cert_reqs and insecure_skip_verify set the same thing"),
            ("rediss://h?ssl_keyfile=/k.pem&key_file=/k.pem", "ssl_keyfile and key_file set the same thing"),
            ("rediss://h?ca_file=/a.pem&ca_file=/b.pem", "ca_file is given twice"),
            ("rediss://h?ssl_ca_path=/etc/ssl/certs", "ssl_ca_path is not supported; the TLS options are ca_file, ssl_ca_certs"),
            ("rediss://h?ssl_password=x", "ssl_password is not supported"),
            ("rediss://h?ssl_cert_reqs=sometimes", "ssl_cert_reqs 'sometimes' is not required, optional or none"),
            (
                "rediss://h?ssl_check_hostname=false",
                "ssl_check_hostname=false (the certificate checked but not its host name) is not supported"
            ),
            ("rediss://h?ssl_certfile=/c.pem", "cert_file and key_file go together"),
            ("http://h", "scheme 'http' is not redis"),
            ("redis://h:99999", "port '99999' is not a number from 1 to 65535"),
            ("redis://h:abc", "port 'abc' is not a number"),
            ("redis://h/x", "database 'x' is not a non-negative number"),
            ("redis://[::1", "unterminated IPv6 address"),
        ])
        func rejectsBadURLs(url: String, why: String) {
            let error = #expect(throws: RedisConnectionError.self) { try RedisConfiguration(url: url) }
            #expect(error?.code == .invalidURL)
            #expect(error?.message.contains(why) == true, "\(error?.message ?? "")")
        }

        @Test func redissReadsTheTLSOptions() throws {
            let verified = try RedisConfiguration(url: "rediss://u:p@cache.internal:6380/1")
            #expect(verified.tls == TLSConfiguration(), "rediss:// verifies against the system's trust store by default")
            #expect(verified.host == "cache.internal" && verified.port == 6380 && verified.database == 1)
            #expect(verified.username == "u" && verified.password == "p")
            let configured = try RedisConfiguration(
                url:
                    "rediss://h?ca_file=/etc/ca%20dir/ca.pem&cert_file=/c.pem&key_file=/k.pem&server_name=redis.internal&insecure_skip_verify=false&db=3"
            )
            #expect(
                configured.tls
                    == TLSConfiguration(
                        caFile: "/etc/ca dir/ca.pem", certFile: "/c.pem", keyFile: "/k.pem",
                        serverName: "redis.internal", insecureSkipVerify: false))
            #expect(configured.database == 3)
            #expect(try RedisConfiguration(url: "rediss://h?insecure_skip_verify=true").tls?.insecureSkipVerify == true)
            #expect(try RedisConfiguration(url: "redis://h").tls == nil, "plain redis:// stays plain")
        }

        /// redis-py's names for the TLS options read as ours do, so one URL string serves a
        /// Python taskiq-redis and a Swift config.
        @Test func redissReadsRedisPyNamesForTheTLSOptions() throws {
            let python = try RedisConfiguration(
                url:
                    "rediss://h:6380?ssl_cert_reqs=required&ssl_ca_certs=/ca%20dir/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/k.pem&ssl_check_hostname=true"
            )
            #expect(python.tls == TLSConfiguration(caFile: "/ca dir/ca.pem", certFile: "/c.pem", keyFile: "/k.pem"))
            #expect(
                try RedisConfiguration(url: "rediss://h?ssl_cert_reqs=optional").tls == TLSConfiguration(),
                "Python's CERT_OPTIONAL verifies a server exactly as CERT_REQUIRED does")
            #expect(try RedisConfiguration(url: "rediss://h?ssl_cert_reqs=none").tls == TLSConfiguration(insecureSkipVerify: true))
            #expect(
                try RedisConfiguration(url: "rediss://h?ssl_check_hostname=false&ssl_cert_reqs=NONE").tls
                    == TLSConfiguration(insecureSkipVerify: true), "no name check is meaningful once nothing is verified, in any order")
            #expect(
                try RedisConfiguration(url: "rediss://h?ssl_ca_certs=/ca.pem&server_name=redis.internal").tls
                    == TLSConfiguration(caFile: "/ca.pem", serverName: "redis.internal"),
                "aliases and our names mix when they set different things")
        }

        @Test func aKeyFilePathIsShownButAPasswordIsNot() {
            let shown = URLCredentials.redacted("rediss://:pw@h?key_file=/k.pem&password=x")
            #expect(shown == "rediss://:***@h?key_file=/k.pem&password=***")
            let python = URLCredentials.redacted(
                "rediss://u:pw@h:6380?ssl_ca_certs=/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/k.pem&ssl_password=x&ssl_cert_reqs=required")
            #expect(
                python
                    == "rediss://u:***@h:6380?ssl_ca_certs=/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/k.pem&ssl_password=***&ssl_cert_reqs=required"
            )
        }

        @Test func passwordsAreRedactedInErrors() {
            let error = #expect(throws: RedisConnectionError.self) { try RedisConfiguration(url: "redis://u:topsecret@h:port") }
            #expect(error?.message.contains("topsecret") == false)
            #expect(error?.message.contains("redis://u:***@h:port") == true, "\(error?.message ?? "")")
        }

        @Test func backoffIsCappedAndJittered() {
            let policy = RedisReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.5)
            var rng = SeededGenerator(seed: 7)
            #expect(policy.delay(afterFailures: 0, using: &rng) == .zero)
            for failures in 1...20 {
                let full = min(1.0, 0.1 * Double(1 << min(failures - 1, 20)))
                let delay = policy.delay(afterFailures: failures, using: &rng).inSeconds
                #expect(delay <= full + 1e-9 && delay >= full * 0.5 - 1e-9, "after \(failures): \(delay)")
            }
            let delays = Set((0..<20).map { _ in policy.delay(afterFailures: 3, using: &rng) })
            #expect(delays.count > 1, "jitter spreads attempts")
        }
    }
}
