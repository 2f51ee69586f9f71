import Taskiq
import Testing

@testable import TaskiqNATS

/// Reading NATS URLs: server lists, credentials and tokens, TLS options, and errors that mask secrets.
struct NATSConfigurationTests {
    @Test func serversCredentialsAndOptions() throws {
        let plain = try NATSConfiguration(url: "nats://127.0.0.1")
        #expect(plain.servers == [.init(host: "127.0.0.1", port: 4222)])
        #expect(plain.tls == nil)
        let list = try NATSConfiguration(
            url: "nats://u:p%40ss@a:4223,nats://b:4224,c,[::1]:4225?name=worker&ping_interval=5&max_pings_out=3")
        #expect(list.servers.map(\.description) == ["a:4223", "b:4224", "c:4222", "[::1]:4225"])
        #expect(list.options.user == "u")
        #expect(list.options.password == "p@ss")
        #expect(list.options.name == "worker")
        #expect(list.pingInterval == .seconds(5))
        #expect(list.maxPingsOut == 3)
        #expect(!list.redactedURL.contains("p%40ss"))
        let token = try NATSConfiguration(url: "nats://s3cret@h:1")
        #expect(token.options.authToken == "s3cret")
        #expect(!token.redactedURL.contains("s3cret"))
        let tls = try NATSConfiguration(url: "tls://h:4443?ca_file=/tmp/ca.pem&server_name=nats.local")
        #expect(tls.tls?.caFile == "/tmp/ca.pem")
        #expect(tls.tls?.serverName == "nats.local")
    }

    @Test(arguments: [
        "http://h:4222", "nats://", "nats://h:0", "nats://h:70000", "nats://h:4222/path", "nats://h?ca_file=/x",
        "nats://h?bogus=1", "nats://a,tls://b", "nats://h?connect_timeout=-1", "nats://u:pa%zzss@h",
        "nats://not a host:4222", "nats://[zz]:4222", "nats://a,b..c",
    ])
    func badURLsAreClearErrorsWithoutSecrets(_ url: String) {
        #expect {
            try NATSConfiguration(url: url)
        } throws: { error in
            guard let error = error as? NATSClientError else { return false }
            return error.code == .invalidArgument && error.message.contains("invalid NATS URL") && !error.message.contains("pa%zzss")
        }
    }

    @Test func ackSubjectsOfBothVersionsAreRead() throws {
        let v1 = try #require(JetStreamAckSubject("$JS.ACK.taskiq_jetstream.taskiq_durable.2.7.3.1796393326933400598.5"))
        #expect(v1.stream == "taskiq_jetstream")
        #expect(v1.consumer == "taskiq_durable")
        #expect(v1.delivered == 2)
        #expect(v1.streamSequence == 7)
        #expect(v1.consumerSequence == 3)
        #expect(v1.timestamp == 1_796_393_326_933_400_598)
        #expect(v1.pending == 5)
        let v2 = try #require(JetStreamAckSubject("$JS.ACK.hub.ACC.s.c.1.2.3.4.5.rnd"))
        #expect(v2.stream == "s")
        #expect(v2.delivered == 1)
        #expect(JetStreamAckSubject("$JS.ACK.s.c.1.2.3") == nil)
        #expect(JetStreamAckSubject("$JS.ACK.s.c.x.2.3.4.5") == nil)
        #expect(JetStreamAckSubject("_INBOX.abc") == nil)
    }
}
