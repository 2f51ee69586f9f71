/// One option of a subcommand, such as `-c, --config FILE`.
public struct OptionSpec: Sendable, Hashable {
    /// Whether an option takes a value, and how many times it may be given.
    public enum Kind: Sendable, Hashable {
        /// Takes no value: present or absent, as in `--wait`.
        case flag
        /// Takes one value; when given twice the last one wins, as most command-line tools do.
        case single
        /// Takes one value each time and may be given many times, as in `--label a=1 --label b=2`.
        case repeatable
    }

    /// The long name without dashes, such as `config`; also the key in ``ParsedCommand``.
    public var name: String
    /// The one-letter short name, such as `c` for `-c`.
    public var short: Character?
    /// What the value is called in help, such as `FILE`.
    public var valueName: String
    /// One sentence for help.
    public var help: String
    /// Whether the option takes a value, and how many times.
    public var kind: Kind
    /// The value used when the option is absent, shown in help only.
    ///
    /// The parser does not fill it in, so that a caller can tell an option the user gave
    /// from one that a configuration file should decide.
    public var defaultValue: String?

    /// Creates an option.
    /// - Parameters:
    ///   - name: The long name without dashes, such as `config`.
    ///   - short: The one-letter short name, such as `c`.
    ///   - valueName: What the value is called in help; defaults to the name in capitals.
    ///   - help: One sentence for help.
    ///   - kind: Whether the option takes a value, and how many times.
    ///   - defaultValue: The value used when the option is absent, shown in help.
    public init(
        _ name: String,
        short: Character? = nil,
        valueName: String? = nil,
        help: String,
        kind: Kind = .single,
        defaultValue: String? = nil
    ) {
        self.name = name
        self.short = short
        self.valueName = valueName ?? name.uppercased()
        self.help = help
        self.kind = kind
        self.defaultValue = defaultValue
    }

    /// A flag: an option without a value, such as `--wait`.
    /// - Parameters:
    ///   - name: The long name without dashes.
    ///   - short: The one-letter short name.
    ///   - help: One sentence for help.
    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name, short: short, help: help, kind: .flag)
    }

    /// The option as spelled on the command line, such as `--config`.
    public var longForm: String { "--" + name }
}
