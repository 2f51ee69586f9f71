/// The process-wide logging setup: format, default level and destination.
///
/// Pass one to ``LoggingSystem/bootstrap(_:)`` at startup.
public struct LoggingConfiguration: Sendable {
    /// How lines are rendered. Defaults to ``LogOutputFormat/text``.
    public var format: LogOutputFormat
    /// The level of every ``Logger`` that has not set its own ``Logger/logLevel``.
    /// Defaults to ``LogLevel/info``.
    public var minimumLevel: LogLevel
    /// Where lines go. Defaults to standard error.
    public var sink: any LogSink

    /// Creates a configuration.
    /// - Parameters:
    ///   - format: How lines are rendered.
    ///   - minimumLevel: The default level of loggers.
    ///   - sink: Where lines go.
    public init(
        format: LogOutputFormat = .text,
        minimumLevel: LogLevel = .info,
        sink: any LogSink = FileDescriptorLogSink.standardError
    ) {
        self.format = format
        self.minimumLevel = minimumLevel
        self.sink = sink
    }
}
