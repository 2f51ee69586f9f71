extension RedisSchedulerLease {
    /// The initialisers' defaults, which the config declarations read too.
    public enum Defaults {
        /// How long the lease lives without renewal.
        public static let ttl = Duration.seconds(30)
        /// How often it is renewed or retried.
        public static let renewInterval = Duration.seconds(10)
    }
}
