import Taskiq

extension ZeroMQBroker {
    /// The initialiser's defaults, written once: the config layer's `zeromq` options read them too.
    public enum Defaults {
        /// The address the producer binds.
        public static let pubHost = "tcp://127.0.0.1:5555"
        /// The address workers connect to.
        public static let subHost = "tcp://127.0.0.1:5555"
        /// Every worker gets every task, as in Python taskiq.
        public static let pattern = Pattern.pubSub
        /// How long a `pub_sub` kick waits for a first subscriber.
        public static let subscriberTimeout = Duration.seconds(5)
        /// How long a `push_pull` kick waits for a worker.
        public static let sendTimeout = Duration.seconds(5)
        /// The largest message accepted from a peer, in bytes.
        public static let maxMessageSize = 8 << 20
        /// The connections the producer's bound endpoint serves at once.
        public static let maxConnections = 256
    }
}
