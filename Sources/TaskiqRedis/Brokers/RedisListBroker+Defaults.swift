extension RedisListBroker {
    /// The initialiser's defaults, which the config declarations read too.
    public enum Defaults {
        /// The list key.
        public static let queueName = "taskiq"
        /// How long one `BRPOP` blocks before it is issued again.
        public static let blockTimeout = Duration.seconds(2)
        /// The longest a worker waits before looking for due delayed messages; the stream broker's too.
        public static let delayPollInterval = RedisStreamBrokerOptions().delayPollInterval
    }
}
