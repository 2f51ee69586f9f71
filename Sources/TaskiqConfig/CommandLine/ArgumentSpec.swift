/// One positional argument of a subcommand, such as `TASK` in `kick TASK [ARGS ...]`.
public struct ArgumentSpec: Sendable, Hashable {
    /// The name shown in help and errors, such as `TASK`; also the key in ``ParsedCommand``.
    public var name: String
    /// One sentence for help.
    public var help: String
    /// Whether the argument may be left out.
    public var isOptional: Bool
    /// Whether the argument takes every remaining positional value; only the last argument may.
    public var isVariadic: Bool

    /// Creates a positional argument.
    /// - Parameters:
    ///   - name: The name shown in help and errors, such as `TASK`.
    ///   - help: One sentence for help.
    ///   - isOptional: Whether the argument may be left out.
    ///   - isVariadic: Whether it takes every remaining positional value.
    public init(_ name: String, help: String, isOptional: Bool = false, isVariadic: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.isVariadic = isVariadic
    }

    /// How the argument appears in a usage line: `TASK`, `[TASK]`, `ARGS ...` or `[ARGS ...]`.
    var usage: String {
        let base = isVariadic ? "\(name) ..." : name
        return isOptional ? "[\(base)]" : base
    }
}
