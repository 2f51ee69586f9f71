import Taskiq

/// An error reply from a Redis server, such as `-WRONGTYPE Operation against a key holding
/// the wrong kind of value`.
///
/// Distinct from ``RedisConnectionError``: the connection is healthy and the server
/// understood the request but refused it. The ``code`` is the reply's first word when it is
/// upper case (`ERR`, `WRONGTYPE`, `NOGROUP`, `BUSYGROUP`, `NOAUTH`, `WRONGPASS`, ...).
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code, the reply's first word (`WRONGTYPE`), or `ERR` when there is none.
    public var code: String
    /// The rest of the reply after the code.
    public var message: String
    /// The command that was refused (its name only, never its arguments), when known.
    public var command: String?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The error code, such as `WRONGTYPE`.
    ///   - message: The text after the code.
    ///   - command: The refused command's name.
    public init(code: String, message: String, command: String? = nil) {
        self.code = code
        self.message = message
        self.command = command
    }

    /// Splits an error line into its code and message.
    init(reply line: String, command: String? = nil) {
        let word = line.prefix { $0 != " " }
        if !word.isEmpty, word.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) {
            code = String(word)
            message = String(line.dropFirst(word.count).drop { $0 == " " })
        } else {
            code = "ERR"
            message = line
        }
        self.command = command
    }

    /// Whether the reply says the server or the cluster is changing rather than that the command
    /// is wrong: a server still loading its data (`LOADING`), a script holding it (`BUSY`), a role
    /// change or failover (`READONLY`, `MASTERDOWN`, `UNBLOCKED`), a slot changing hands
    /// (`TRYAGAIN`, `CLUSTERDOWN`). Such a command is worth sending again after a pause.
    public var isTransient: Bool { Self.transientCodes.contains(code) }

    private static let transientCodes: Set<String> = [
        "LOADING", "BUSY", "READONLY", "MASTERDOWN", "UNBLOCKED", "TRYAGAIN", "CLUSTERDOWN",
    ]

    public var description: String {
        let reply = message.isEmpty ? code : "\(code) \(message)"
        if let command { return "Redis refused \(command): \(reply)" }
        return "Redis error: \(reply)"
    }
}
