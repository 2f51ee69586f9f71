import Taskiq
import TaskiqRabbitMQ
import Testing

@Suite struct AMQPConfigurationTests {
    @Test func defaultsAreAioPikas() throws {
        let configuration = try AMQPConfiguration(url: "amqp://guest:guest@localhost:5672")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 5672)
        #expect(configuration.options.user == "guest")
        #expect(configuration.options.password == "guest")
        #expect(configuration.options.virtualHost == "/")
        #expect(configuration.options.tuning.heartbeat == 60)
    }

    @Test(arguments: [
        ("amqp://h", "/"), ("amqp://h/", "/"), ("amqp://h/%2F", "/"), ("amqp://h/jobs", "jobs"), ("amqp://h/a%2Fb", "a/b"),
    ])
    func virtualHostIsTheDecodedPath(_ url: String, _ virtualHost: String) throws {
        #expect(try AMQPConfiguration(url: url).options.virtualHost == virtualHost)
    }

    @Test func readsCredentialsPortAndOptions() throws {
        let configuration = try AMQPConfiguration(
            url: "amqp://task%40iq:p%3As%2Fs@[::1]:5673/prod?heartbeat=10&frame_max=8192&channel_max=16&connection_timeout=2.5")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5673)
        #expect(configuration.options.user == "task@iq")
        #expect(configuration.options.password == "p:s/s")
        #expect(configuration.options.tuning == AMQPTuning(channelMax: 16, frameMax: 8192, heartbeat: 10))
        #expect(configuration.connectTimeout == .milliseconds(2500))
        #expect(!configuration.redactedURL.contains("p%3As"))
    }

    @Test(arguments: [
        "redis://h", "amqp://", "amqp://h:0", "amqp://h:99999", "amqp://h?heartbeat=-1", "amqp://h?frame_max=100",
        "amqp://h?colour=red", "amqp://user:pa/ss@h",
    ])
    func badURLsAreClearErrorsWithoutThePassword(_ url: String) {
        let error = #expect(throws: AMQPConnectionError.self) { try AMQPConfiguration(url: url) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("pa/ss") == false)
    }

    @Test func amqpsVerifiesByDefaultOnPort5671() throws {
        let configuration = try AMQPConfiguration(url: "amqps://guest:guest@rabbit.example.com/jobs")
        #expect(configuration.port == 5671)
        #expect(configuration.tls == TLSConfiguration())
        #expect(configuration.tls?.insecureSkipVerify == false)
        #expect(try AMQPConfiguration(url: "amqps://h:5673").port == 5673)
        #expect(try AMQPConfiguration(url: "amqp://h").tls == nil)
    }

    @Test(arguments: [
        // Ours, percent-encoded values decoded.
        (
            "amqps://h?ca_file=/etc/ca%20s.pem&cert_file=/c.pem&key_file=/k.pem&server_name=rabbit.internal&heartbeat=5",
            TLSConfiguration(caFile: "/etc/ca s.pem", certFile: "/c.pem", keyFile: "/k.pem", serverName: "rabbit.internal")
        ),
        ("amqps://h?insecure_skip_verify=true", TLSConfiguration(insecureSkipVerify: true)),
        ("amqps://h?insecure_skip_verify=false", TLSConfiguration()),
        // aio-pika's (aiormq) names.
        (
            "amqps://h?cafile=/ca.pem&certfile=/c.pem&keyfile=/k.pem&no_verify_ssl=0",
            TLSConfiguration(caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem")
        ),
        ("amqps://h?no_verify_ssl=1", TLSConfiguration(insecureSkipVerify: true)),
    ])
    func readsTheTLSOptions(_ url: String, _ expected: TLSConfiguration) throws {
        #expect(try AMQPConfiguration(url: url).tls == expected)
    }

    @Test(arguments: [
        ("amqp://guest:s3cret@h?ca_file=/ca.pem", "ca_file is a TLS option; use amqps:// to connect with TLS"),
        ("amqps://guest:s3cret@h?cafile=/a.pem&ca_file=/b.pem", "cafile and ca_file set the same thing; give only one"),
        ("amqps://guest:s3cret@h?ca_file=/a.pem&ca_file=/b.pem", "ca_file is given twice"),
        ("amqps://guest:s3cret@h?capath=/etc/ssl/certs", "capath is not supported; the TLS options are ca_file, cafile, cert_file"),
        ("amqps://guest:s3cret@h?cadata=x", "cadata is not supported"),
        ("amqps://guest:s3cret@h?no_verify_ssl=yes", "no_verify_ssl 'yes' is not 0 or 1"),
        ("amqps://guest:s3cret@h?insecure_skip_verify=1", "insecure_skip_verify '1' is not true or false"),
        ("amqps://guest:s3cret@h?cert_file=/c.pem", "cert_file and key_file go together; only one is set"),
        ("amqps://guest:s3cret@h?ca_file=", "ca_file is empty or badly percent-encoded"),
        ("amqps://guest:s3cret@h?ssl_ca_certs=/ca.pem", "unknown option 'ssl_ca_certs'; known: heartbeat"),
    ])
    func badTLSOptionsAreClearErrorsWithoutThePassword(_ url: String, _ message: String) {
        let error = #expect(throws: AMQPConnectionError.self) { try AMQPConfiguration(url: url) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.message.contains("s3cret") == false)
    }
}
