import Taskiq
import TaskiqZeroMQ

extension ComponentRegistry {
    /// The options of the `zeromq` broker; their defaults are ``ZeroMQBroker/Defaults``, the initialiser's.
    struct ZeroMQBrokerKeys: OptionGroup {
        let pubHost = Option<String>.address(
            "zmq_pub_host", .zeroMQBindEndpoint, default: ZeroMQBroker.Defaults.pubHost,
            description: "Address the producer binds (tcp://host:port; * for every interface).")
        let subHost = Option<String>.address(
            "zmq_sub_host", .zeroMQConnectEndpoint, default: ZeroMQBroker.Defaults.subHost,
            description: "Address workers connect to (tcp://host:port).")
        let pattern = Option<ZeroMQBroker.Pattern>.choice(
            "pattern", default: ZeroMQBroker.Defaults.pattern,
            description: "pub_sub: every worker gets every task (run one worker); push_pull: each task goes to one worker.")
        let subscriberTimeout = Option<Duration>.seconds(
            "subscriber_timeout", default: ZeroMQBroker.Defaults.subscriberTimeout, range: 0...3600,
            description: "Seconds a pub_sub kick waits for a first subscriber before failing.")
        let sendTimeout = Option<Duration>.seconds(
            "send_timeout", default: ZeroMQBroker.Defaults.sendTimeout, range: 0...3600,
            description: "Seconds a push_pull kick waits for a worker before failing.")
        let maxMessageSize = Option<Int>.integer(
            "max_message_size", default: ZeroMQBroker.Defaults.maxMessageSize, range: 1024...(1 << 30),
            description: "Largest message accepted from a peer, in bytes; a peer sending more is disconnected, logged and counted.")
        let maxFrameSize = Option<Int?>.integer(
            "max_frame_size", range: 64...(1 << 30),
            description: "Largest frame a peer may declare, in bytes, checked before the frame is read; null for max_message_size.")
        let maxConnections = Option<Int>.integer(
            "max_connections", default: ZeroMQBroker.Defaults.maxConnections, range: 1...65536,
            description:
                "Connections the producer's bound endpoint serves at once (each costs one or two threads); more are closed and logged.")
    }

    /// Registers the `zeromq` broker.
    mutating func registerZeroMQTypes() {
        let keys = ZeroMQBrokerKeys()
        register(
            broker: "zeromq",
            summary:
                "ZeroMQ over TCP (native ZMTP): pub_sub is wire-compatible with Python taskiq; push_pull sends each task to one worker.",
            options: keys.declarations
        ) { options in
            ZeroMQBroker(
                zmqPubHost: try options[keys.pubHost], zmqSubHost: try options[keys.subHost],
                pattern: try options[keys.pattern],
                subscriberTimeout: try options[keys.subscriberTimeout], sendTimeout: try options[keys.sendTimeout],
                maxMessageSize: try options[keys.maxMessageSize], maxFrameSize: try options[keys.maxFrameSize],
                maxConnections: try options[keys.maxConnections])
        }
    }
}
