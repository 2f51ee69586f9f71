/// How severe a log message is, from ``trace`` (most verbose) to ``critical``.
///
/// Levels order by severity, so `level >= .warning` reads as "warning or worse".
/// ``init(_:)`` parses level names case-insensitively and accepts Python's logging
/// names and numbers too, so a config written for Python taskiq (`"WARNING"`, `"CRITICAL"`,
/// `"20"`) works unchanged.
public enum LogLevel: String, Sendable, Comparable, CaseIterable {
    /// Very detailed tracing, usually only useful while developing.
    case trace
    /// Debugging detail.
    case debug
    /// Normal operational messages.
    case info
    /// Normal but significant events.
    case notice
    /// Something unexpected that the system recovered from.
    case warning
    /// An operation failed.
    case error
    /// The process cannot continue as intended.
    case critical

    /// Orders levels by severity.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.severity < rhs.severity
    }

    var severity: UInt8 {
        switch self {
        case .trace: 0
        case .debug: 1
        case .info: 2
        case .notice: 3
        case .warning: 4
        case .error: 5
        case .critical: 6
        }
    }

    init?(severity: UInt8) {
        switch severity {
        case 0: self = .trace
        case 1: self = .debug
        case 2: self = .info
        case 3: self = .notice
        case 4: self = .warning
        case 5: self = .error
        case 6: self = .critical
        default: return nil
        }
    }

    /// The upper-case name used in log lines, matching Python's `levelname` where Python has one.
    var uppercaseName: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }
}

extension LogLevel: LosslessStringConvertible {
    /// Parses a level name, ignoring case.
    ///
    /// Accepts the case names (`"info"`, `"WARNING"`), the aliases `warn` and `fatal`,
    /// and Python's numeric levels (`10` debug, `20` info, `30` warning, `40` error,
    /// `50` critical). Surrounding whitespace is ignored.
    /// - Parameter description: The text to parse.
    public init?(_ description: String) {
        let name = description.trimmingASCIIWhitespace().lowercased()
        if let level = LogLevel(rawValue: name) {
            self = level
            return
        }
        switch name {
        case "warn": self = .warning
        case "fatal": self = .critical
        case "5": self = .trace
        case "10": self = .debug
        case "20": self = .info
        case "25": self = .notice
        case "30": self = .warning
        case "40": self = .error
        case "50": self = .critical
        default: return nil
        }
    }

    /// The lower-case name, which ``init(_:)`` parses back.
    public var description: String { rawValue }
}
