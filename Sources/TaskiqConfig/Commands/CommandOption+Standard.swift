extension CommandOption {
    /// `-c, --config FILE`: the configuration file; `$TASKIQ_CONFIG`, then `taskiq.json`, when absent.
    public static func configFile(_ keyPath: any WritableKeyPath<Root, String?> & Sendable) -> Self {
        .option(
            "config", short: "c", valueName: "FILE",
            help: "Configuration file; defaults to $TASKIQ_CONFIG, then taskiq.json.", keyPath, .string)
    }

    /// `-w, --workers N`: overrides `worker.workers`.
    ///
    /// Kept as text: the configuration checks it as it checks the file's value, with the same
    /// range and a message that names `--workers`.
    public static func workers(_ keyPath: any WritableKeyPath<Root, String?> & Sendable) -> Self {
        .option("workers", short: "w", valueName: "N", help: "Override worker.workers.", keyPath, .string)
    }

    /// `--broker NAME`: a named broker of the configuration; the main one when absent.
    public static func broker(
        _ keyPath: any WritableKeyPath<Root, String?> & Sendable,
        help: String = "Listen on a named broker, a key of \"brokers\"; the main \"broker\" (named default) when absent."
    ) -> Self {
        .option("broker", valueName: "NAME", help: help, keyPath, .string)
    }
}
