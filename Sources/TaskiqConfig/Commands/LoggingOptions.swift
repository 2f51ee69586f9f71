/// The options every command that loads a configuration has to override its logging.
public struct LoggingOptions: ParsableArguments, Hashable {
    /// `-v`: log at debug level, unless `--log-level` says otherwise.
    public var verbose = false
    /// `--log-level`: overrides `worker.log_level`; checked by the configuration.
    public var logLevel: String?
    /// `--log-format`: overrides `worker.log_format`; checked by the configuration.
    public var logFormat: String?

    /// Creates the options at their defaults.
    public init() {}

    /// `-v`, `--log-level`, `--log-format`.
    public static let options: [CommandOption<Self>] = [
        .flag("verbose", short: "v", help: "Log at debug level.", \.verbose),
        .option(
            "log-level", valueName: "LEVEL",
            help: "Override worker.log_level (trace, debug, info, notice, warning, error, critical).", \.logLevel, .string),
        .option("log-format", valueName: "FORMAT", help: "Override worker.log_format (text or json).", \.logFormat, .string),
    ]

    /// The options with the log level at `level` unless the command line set one: a report
    /// printed on standard output stays free of the producer's info lines.
    public func quieted(to level: String) -> LoggingOptions {
        var options = self
        if logLevel == nil && !verbose { options.logLevel = level }
        return options
    }
}
