/// A structured logger: a label, a level and metadata, with value semantics.
///
/// ```swift
/// var logger = Logger(label: "taskiq.worker")
/// logger[metadataKey: "task_id"] = message.taskID
/// logger.info("Executing task", metadata: ["task_name": message.taskName])
/// ```
/// Messages are `@autoclosure`s evaluated only when the level is enabled, so a disabled
/// `debug("\(expensive())")` costs one comparison. Enabled records go to the process-wide
/// sink configured with ``LoggingSystem/bootstrap(_:)`` and, when set, to ``capture``.
public struct Logger: Sendable {
    /// The logger's name, written as `logger` (JSON) or after the process id (text).
    public let label: String

    /// Metadata added to every record, under the per-call metadata.
    public var metadata: [String: String]

    /// A capture that also receives every enabled record, formatted its own way.
    ///
    /// The worker sets this while a task runs to collect the task's log for its result.
    public var capture: LogCapture?

    private var levelOverride: LogLevel?

    /// Overrides the process-wide configuration; used by tests and by loggers that must not
    /// follow a later bootstrap.
    var configurationOverride: LoggingConfiguration?

    /// Creates a logger.
    /// - Parameters:
    ///   - label: The logger's name, conventionally dotted (`taskiq.worker`).
    ///   - metadata: Metadata added to every record.
    public init(label: String, metadata: [String: String] = [:]) {
        self.label = label
        self.metadata = metadata
    }

    init(label: String, configuration: LoggingConfiguration) {
        self.init(label: label)
        self.configurationOverride = configuration
        self.levelOverride = configuration.minimumLevel
    }

    /// The least severe level that is written.
    ///
    /// Until set, it follows ``LoggingConfiguration/minimumLevel`` of the process-wide
    /// configuration, including bootstraps made after the logger was created.
    public var logLevel: LogLevel {
        get { levelOverride ?? LoggingSystem.minimumLevel }
        set { levelOverride = newValue }
    }

    /// Reads or writes one metadata value; `nil` removes the key.
    /// - Parameter key: The metadata key, such as `task_id`.
    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Logs a message at `level` if it is enabled.
    /// - Parameters:
    ///   - level: The record's level.
    ///   - message: The message, evaluated only if `level` is enabled.
    ///   - metadata: Metadata for this record only; it wins over the logger's on equal keys.
    public func log(level: LogLevel, _ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        guard level >= logLevel else { return }
        var merged = self.metadata
        if let metadata, !metadata.isEmpty {
            merged.merge(metadata) { _, call in call }
        }
        let record = LogRecord(
            timestamp: .now(), level: level, label: label, message: message(), metadata: merged)
        let configuration = configurationOverride ?? LoggingSystem.configuration
        configuration.sink.write(configuration.format.line(for: record))
        capture?.append(record)
    }

    /// Logs at ``LogLevel/trace``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func trace(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .trace, message(), metadata: metadata)
    }

    /// Logs at ``LogLevel/debug``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func debug(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .debug, message(), metadata: metadata)
    }

    /// Logs at ``LogLevel/info``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func info(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .info, message(), metadata: metadata)
    }

    /// Logs at ``LogLevel/notice``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func notice(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .notice, message(), metadata: metadata)
    }

    /// Logs at ``LogLevel/warning``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func warning(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .warning, message(), metadata: metadata)
    }

    /// Logs at ``LogLevel/error``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func error(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .error, message(), metadata: metadata)
    }

    /// Logs at ``LogLevel/critical``.
    /// - Parameters:
    ///   - message: The message, evaluated only if enabled.
    ///   - metadata: Metadata for this record only.
    public func critical(_ message: @autoclosure () -> String, metadata: [String: String]? = nil) {
        log(level: .critical, message(), metadata: metadata)
    }
}
