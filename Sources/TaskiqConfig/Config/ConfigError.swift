import Taskiq

/// A configuration file that cannot be used, with the file, the JSON path and the reason.
///
/// The description is one line, `<file>: <path>: <message>`, such as
/// `taskiq.json: middlewares[1].default_retry_count: expected an integer in 0...1000, found -1`.
/// `taskiq-run` prints it on standard error and exits with status 2.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem the configuration has. An open set: compare with the static members.
    public typealias Code = ErrorCode<ConfigError>

    /// What kind of problem this is.
    public var code: Code
    /// The file the offending value came from, as named on the command line or in `extends`.
    public var file: String
    /// The JSON path of the offending value, such as `middlewares[1].default_retry_count`;
    /// empty for the document as a whole.
    public var path: String
    /// What was found and what was expected.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of problem this is.
    ///   - file: The file the offending value came from.
    ///   - path: The JSON path of the offending value.
    ///   - message: What was found and what was expected.
    public init(_ code: Code, file: String, path: String, _ message: String) {
        self.code = code
        self.file = file
        self.path = path
        self.message = message
    }

    /// `<file>: <path>: <message>`, leaving out the path when it is empty.
    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}

extension ErrorCode where Domain == ConfigError {
    /// The file is not valid JSON.
    public static var invalidJSON: Self { "invalid_json" }
    /// The file cannot be read.
    public static var unreadableFile: Self { "unreadable_file" }
    /// A file the configuration names (`worker.log_file`, a dead-letter `path`) cannot be opened for writing.
    public static var unwritableFile: Self { "unwritable_file" }
    /// No configuration file was named.
    public static var noConfigFile: Self { "no_config_file" }
    /// A key that is not a setting.
    public static var unknownKey: Self { "unknown_key" }
    /// A key that older files put in one place and that now lives in another (a broker's
    /// `cast_types`, now `worker.cast_types`); the message names where it went.
    public static var movedKey: Self { "moved_key" }
    /// A required key is absent.
    public static var missingKey: Self { "missing_key" }
    /// A value of the wrong JSON type.
    public static var wrongType: Self { "wrong_type" }
    /// A value outside its allowed range or set.
    public static var outOfRange: Self { "out_of_range" }
    /// An address or URL (a Redis URL, a ZeroMQ endpoint) that its parser rejects: scheme,
    /// host, port or trailing text.
    public static var invalidAddress: Self { "invalid_address" }
    /// A component `type` that is not registered.
    public static var unknownComponentType: Self { "unknown_component_type" }
    /// A task module that is not compiled in.
    public static var unknownModule: Self { "unknown_module" }
    /// A discovery pattern that matches no module.
    public static var noModuleMatches: Self { "no_module_matches" }
    /// A `${VAR}` reference to an unset variable without a default.
    public static var missingEnvironmentVariable: Self { "missing_environment_variable" }
    /// A malformed `${...}` reference.
    public static var invalidInterpolation: Self { "invalid_interpolation" }
    /// Files that extend each other in a circle.
    public static var extendsCycle: Self { "extends_cycle" }
    /// Settings that are each valid but cannot work together.
    public static var impossibleSettings: Self { "impossible_settings" }
    /// A component factory failed to build its component.
    public static var componentFailed: Self { "component_failed" }
    /// A task name that no loaded module provides.
    public static var unknownTask: Self { "unknown_task" }
    /// A schedule that cannot fire: an invalid cron expression, time zone, interval or time, not
    /// exactly one of `cron`, `interval` and `time`, or a schedule given twice.
    public static var invalidSchedule: Self { "invalid_schedule" }
    /// A route that names a broker the configuration does not declare.
    public static var unknownBroker: Self { "unknown_broker" }
    /// Schedule or `kick` arguments that do not fit the task's compiled parameters (count, names,
    /// types under `worker.cast_types`).
    public static var invalidArguments: Self { "invalid_arguments" }
}
