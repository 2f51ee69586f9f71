extension CommandLineParser {
    /// The width help text is wrapped to.
    static let helpWidth = 80
    /// The widest left column before an entry's help moves to the next line.
    static let maxLabelWidth = 26

    /// The help text of the tool, or of one subcommand.
    ///
    /// Lists a usage line, the abstract, then either the subcommands or the command's arguments
    /// and options in aligned columns, wrapped at 80 columns. The output depends only on the specs.
    /// - Parameter command: A subcommand's name, or `nil` for the tool's own help.
    public func helpText(for command: String? = nil) -> String {
        guard let command, let spec = self.command(named: command) else { return toolHelp() }
        return commandHelp(spec)
    }

    private func toolHelp() -> String {
        var sections = ["usage: \(programName) \(defaultCommand == nil ? "<command>" : "[<command>]") [<options>]"]
        sections.append(Self.wrap(abstract, indent: 0))
        sections.append(
            "commands:\n"
                + Self.columns(
                    commands.map { spec in
                        (spec.name, spec.name == defaultCommand ? spec.abstract + " (default)" : spec.abstract)
                    }))
        sections.append("options:\n" + Self.columns(Self.builtInOptions(help: true, version: true)))
        sections.append(
            Self.wrap(
                "Run '\(programName) <command> --help' or '\(programName) help <command>' for a command's options.",
                indent: 0))
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
    }

    private func commandHelp(_ spec: CommandSpec) -> String {
        var usage = ["\(programName) \(spec.name)"]
        if !spec.options.isEmpty { usage.append("[<options>]") }
        usage += spec.arguments.map(\.usage)
        var sections = [Self.wrap(usage.joined(separator: " "), indent: 7, firstLinePrefix: "usage: ")]
        sections.append(Self.wrap(spec.abstract, indent: 0))
        sections += spec.discussion
            .split(separator: "\n\n", omittingEmptySubsequences: true)
            .map { Self.wrap($0.split(whereSeparator: \.isNewline).joined(separator: " "), indent: 0) }
        if !spec.arguments.isEmpty {
            sections.append("arguments:\n" + Self.columns(spec.arguments.map { ($0.name, $0.help) }))
        }
        let helpIsFree = spec.option(named: "help") == nil
        let rows = spec.options.map { option -> (String, String) in
            var label = option.short.map { "-\($0), " } ?? "    "
            label += option.longForm
            if option.kind != .flag { label += " " + option.valueName }
            var help = option.help
            if option.kind == .repeatable { help += " (repeatable)" }
            if let value = option.defaultValue { help += " (default: \(value))" }
            return (label, help)
        }
        sections.append(
            "options:\n"
                + Self.columns(
                    rows
                        + Self.builtInOptions(
                            help: helpIsFree, shortHelp: helpIsFree && spec.option(short: "h") == nil, version: false)))
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
    }

    private static func builtInOptions(help: Bool, shortHelp: Bool = true, version: Bool) -> [(String, String)] {
        var rows: [(String, String)] = []
        if help { rows.append((shortHelp ? "-h, --help" : "    --help", "Show help information.")) }
        if version { rows.append(("    --version", "Show the version.")) }
        return rows
    }

    /// Two columns indented by two spaces: labels padded to the widest short label, help wrapped
    /// beside them; a label too wide for the column puts its help on the next line.
    static func columns(_ rows: [(label: String, help: String)]) -> String {
        let labelWidth = min(rows.map(\.label.count).max() ?? 0, maxLabelWidth)
        let helpIndent = 2 + labelWidth + 2
        return rows.map { row in
            let label = "  " + row.label
            guard !row.help.isEmpty else { return label }
            if row.label.count > labelWidth {
                return label + "\n" + wrap(row.help, indent: helpIndent)
            }
            let prefix = label + String(repeating: " ", count: helpIndent - label.count)
            return wrap(row.help, indent: helpIndent, firstLinePrefix: prefix)
        }.joined(separator: "\n")
    }

    /// Wraps words greedily to ``helpWidth``, indenting every line by `indent` spaces, except the
    /// first, which starts with `firstLinePrefix` when given. A word longer than a line stays whole.
    static func wrap(_ text: String, indent: Int, firstLinePrefix: String? = nil) -> String {
        let padding = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = firstLinePrefix ?? padding
        var lineHasWord = false
        for word in text.split(separator: " ") {
            if lineHasWord && line.count + 1 + word.count > helpWidth {
                lines.append(line)
                line = padding
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        if lineHasWord { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
