/// One option of a ``ParsableArguments`` type, declared once and bound to a stored property.
///
/// ```swift
/// static let options: [CommandOption<BenchCommand>] = [
///     .configFile(\.config),
///     .option("tasks", short: "n", valueName: "TASKS", help: "Tasks to run.", \.parameters.tasks, .positiveInteger),
///     .flag("json", help: "Print one JSON object instead of the table.", \.parameters.json),
/// ] + .group(\.logging)
/// ```
/// The declaration gives the parser its ``OptionSpec``, help its line (with the property's
/// initial value as the default) and errors the option's name and expected value.
public struct CommandOption<Root: ParsableArguments>: Sendable {
    let name: String
    let short: Character?
    let valueName: String?
    let help: String
    let kind: OptionSpec.Kind
    /// The default as help shows it, read from `Root()`; `nil` shows none.
    let defaultDescription: @Sendable () -> String?
    /// Stores the values given on the command line (for a flag, one empty string).
    let assign: @Sendable (inout Root, [String], _ command: String) throws(CommandLineError) -> Void

    /// What the parser and help need.
    var spec: OptionSpec {
        OptionSpec(name, short: short, valueName: valueName, help: help, kind: kind, defaultValue: defaultDescription())
    }

    /// An option that takes one value; given twice, the last one wins. Help shows the property's
    /// initial value as the default.
    /// - Parameters:
    ///   - name: The long name without dashes, such as `tasks`.
    ///   - short: The one-letter short name.
    ///   - valueName: What the value is called in help; the name in capitals by default.
    ///   - help: One sentence for help.
    ///   - keyPath: The property the value is stored in.
    ///   - value: How the text becomes a value.
    public static func option<Value>(
        _ name: String, short: Character? = nil, valueName: String? = nil, help: String,
        _ keyPath: any WritableKeyPath<Root, Value> & Sendable, _ value: OptionValue<Value>
    ) -> Self {
        CommandOption(
            name: name, short: short, valueName: valueName, help: help, kind: .single,
            defaultDescription: { value.describe(Root()[keyPath: keyPath]) },
            assign: { root, values, command throws(CommandLineError) in
                guard let text = values.last else { return }
                root[keyPath: keyPath] = try value.value(of: text, option: name, command: command)
            })
    }

    /// An option that takes one value and is `nil` when absent, so that something else (such as the
    /// configuration file) decides; help shows no default.
    /// - Parameters:
    ///   - name: The long name without dashes, such as `config`.
    ///   - short: The one-letter short name.
    ///   - valueName: What the value is called in help; the name in capitals by default.
    ///   - help: One sentence for help.
    ///   - keyPath: The property the value is stored in.
    ///   - value: How the text becomes a value.
    public static func option<Value>(
        _ name: String, short: Character? = nil, valueName: String? = nil, help: String,
        _ keyPath: any WritableKeyPath<Root, Value?> & Sendable, _ value: OptionValue<Value>
    ) -> Self {
        CommandOption(
            name: name, short: short, valueName: valueName, help: help, kind: .single,
            defaultDescription: { nil },
            assign: { root, values, command throws(CommandLineError) in
                guard let text = values.last else { return }
                root[keyPath: keyPath] = try value.value(of: text, option: name, command: command)
            })
    }

    /// An option that may be given many times, keeping every value in order.
    /// - Parameters:
    ///   - name: The long name without dashes, such as `label`.
    ///   - short: The one-letter short name.
    ///   - valueName: What the value is called in help.
    ///   - help: One sentence for help; help adds `(repeatable)`.
    ///   - keyPath: The property the values are stored in.
    public static func repeatable(
        _ name: String, short: Character? = nil, valueName: String? = nil, help: String,
        _ keyPath: any WritableKeyPath<Root, [String]> & Sendable
    ) -> Self {
        CommandOption(
            name: name, short: short, valueName: valueName, help: help, kind: .repeatable,
            defaultDescription: { nil },
            assign: { root, values, _ in root[keyPath: keyPath] = values })
    }

    /// A flag: an option without a value, `true` when given.
    /// - Parameters:
    ///   - name: The long name without dashes, such as `wait`.
    ///   - short: The one-letter short name.
    ///   - help: One sentence for help.
    ///   - keyPath: The property set to `true` when the flag is given.
    public static func flag(
        _ name: String, short: Character? = nil, help: String, _ keyPath: any WritableKeyPath<Root, Bool> & Sendable
    ) -> Self {
        CommandOption(
            name: name, short: short, valueName: nil, help: help, kind: .flag,
            defaultDescription: { nil },
            assign: { root, _, _ in root[keyPath: keyPath] = true })
    }

    /// The options of a group, such as ``LoggingOptions``, stored in one property of this type.
    /// - Parameter keyPath: The property that holds the group.
    public static func group<Group: ParsableArguments>(_ keyPath: any WritableKeyPath<Root, Group> & Sendable) -> [Self] {
        Group.options.map { option in
            CommandOption(
                name: option.name, short: option.short, valueName: option.valueName, help: option.help,
                kind: option.kind, defaultDescription: option.defaultDescription,
                assign: { root, values, command throws(CommandLineError) in
                    try option.assign(&root[keyPath: keyPath], values, command)
                })
        }
    }
}

extension Array {
    /// The options of a group, such as ``LoggingOptions``, stored in one property: written
    /// `[.configFile(\.config)] + .group(\.logging)`.
    /// - Parameter keyPath: The property that holds the group.
    public static func group<Root, Group: ParsableArguments>(
        _ keyPath: any WritableKeyPath<Root, Group> & Sendable
    ) -> [CommandOption<Root>] where Element == CommandOption<Root> {
        CommandOption<Root>.group(keyPath)
    }
}
