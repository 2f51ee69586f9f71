import Taskiq
import TaskiqRedis
import Testing

@testable import TaskiqConfig

/// Every credential form a URL can carry is masked, in `check`'s output and in the parser's errors.
@Suite struct CredentialMaskingTests {
    static let forms: [(url: String, secret: String, masked: String)] = [
        ("redis://user:S1cret@h:6379/0", "S1cret", "redis://user:***@h:6379/0"),
        ("redis://:S2cret@h", "S2cret", "redis://:***@h"),
        ("redis://S3cret@h:6379", "S3cret", "redis://***@h:6379"),
        ("redis://h/0?password=S4cret&db=0", "S4cret", "redis://h/0?password=***&db=0"),
        ("redis://h?db=1&pass=S5cret#x", "S5cret", "redis://h?db=1&pass=***#x"),
        ("redis://h?Token=S6cret", "S6cret", "redis://h?Token=***"),
        ("redis://u:p/S7cret@h:6379", "S7cret", "redis://u:***@h:6379"),
        ("redis://:p#S8cret@h", "S8cret", "redis://:***@h"),
        ("redis://:p?S9cret@h/0", "S9cret", "redis://:***@h/0"),
        ("redis://u:a@b@S10cret@h", "S10cret", "redis://u:***@h"),
        (
            "rediss://user:S11cret@h:6380/0?ca_file=/ca.pem&cert_file=/c.pem&key_file=/k.pem&server_name=r.internal",
            "S11cret", "rediss://user:***@h:6380/0?ca_file=/ca.pem&cert_file=/c.pem&key_file=/k.pem&server_name=r.internal"
        ),
        (
            "rediss://:S12cret@h?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem&ssl_keyfile=/k.pem&ssl_certfile=/c.pem",
            "S12cret", "rediss://:***@h?ssl_cert_reqs=required&ssl_ca_certs=/ca.pem&ssl_keyfile=/k.pem&ssl_certfile=/c.pem"
        ),
        (
            "rediss://u:S13cret@h?ssl_password=S13cret&insecure_skip_verify=true",
            "S13cret", "rediss://u:***@h?ssl_password=***&insecure_skip_verify=true"
        ),
    ]

    @Test(arguments: 0..<forms.count)
    func theSecretIsNeverShown(index: Int) {
        let (url, secret, expected) = Self.forms[index]
        let masked = SecretMasking.masked(["url": .string(url)])
        #expect(masked == ["url": .string(expected)])
        do {
            _ = try RedisConfiguration(url: url)
        } catch {
            #expect(!error.message.contains(secret), "\(error.message)")
        }
    }
}
