import Synchronization

/// The process-wide logging configuration that every ``Logger`` writes through.
///
/// Call ``bootstrap(_:)`` once at startup, before the worker or scheduler starts, typically
/// from the configuration file's logging section:
/// ```swift
/// LoggingSystem.bootstrap(LoggingConfiguration(format: .json, minimumLevel: .debug))
/// ```
/// Until then, loggers write text lines at ``LogLevel/info`` and above to standard error.
/// Loggers created before the bootstrap follow it too, unless they set their own level.
public enum LoggingSystem {
    private static let current = Mutex(LoggingConfiguration())
    /// Kept apart from `current` so the level check on every log call is one atomic load.
    private static let level = Atomic<UInt8>(LogLevel.info.severity)

    /// Installs the process-wide configuration.
    ///
    /// Meant to be called once at startup; a later call replaces the configuration for every
    /// logger, which tests and `--log-level` reloads may rely on.
    /// - Parameter configuration: The format, default level and sink to use.
    public static func bootstrap(_ configuration: LoggingConfiguration) {
        current.withLock { $0 = configuration }
        level.store(configuration.minimumLevel.severity, ordering: .relaxed)
    }

    /// The configuration in force.
    public static var configuration: LoggingConfiguration {
        current.withLock { $0 }
    }

    static var minimumLevel: LogLevel {
        LogLevel(severity: level.load(ordering: .relaxed)) ?? .info
    }
}
