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
        let configuration = try AMQPConfiguration(url: "amqp://task%40iq:p%3As%2Fs@[::1]:5673/prod?heartbeat=10&frame_max=8192&channel_max=16&connection_timeout=2.5")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5673)
        #expect(configuration.options.user == "task@iq")
        #expect(configuration.options.password == "p:s/s")
        #expect(configuration.options.tuning == AMQPTuning(channelMax: 16, frameMax: 8192, heartbeat: 10))
        #expect(configuration.connectTimeout == .milliseconds(2500))
        #expect(!configuration.redactedURL.contains("p%3As"))
    }

    @Test(arguments: [
        "redis://h", "amqps://h", "amqp://", "amqp://h:0", "amqp://h:99999", "amqp://h?heartbeat=-1", "amqp://h?frame_max=100",
        "amqp://h?colour=red", "amqp://user:pa/ss@h",
    ])
    func badURLsAreClearErrorsWithoutThePassword(_ url: String) {
        let error = #expect(throws: AMQPConnectionError.self) { try AMQPConfiguration(url: url) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("pa/ss") == false)
    }
}
