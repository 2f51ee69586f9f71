/// One positional argument of a ``RunnerCommand``, declared once and bound to a stored property.
public struct CommandArgument<Root: RunnerCommand>: Sendable {
    let spec: ArgumentSpec
    let assign: @Sendable (inout Root, [PositionalValue]) -> Void

    /// A required argument, such as `TASK`.
    /// - Parameters:
    ///   - name: The name shown in help and errors.
    ///   - help: One sentence for help.
    ///   - keyPath: The property the value is stored in.
    public static func required(_ name: String, help: String, _ keyPath: any WritableKeyPath<Root, String> & Sendable) -> Self {
        CommandArgument(spec: ArgumentSpec(name, help: help)) { root, values in
            if let first = values.first { root[keyPath: keyPath] = first.value }
        }
    }

    /// An argument that may be left out.
    /// - Parameters:
    ///   - name: The name shown in help and errors.
    ///   - help: One sentence for help.
    ///   - keyPath: The property the value is stored in; `nil` when absent.
    public static func optional(_ name: String, help: String, _ keyPath: any WritableKeyPath<Root, String?> & Sendable) -> Self {
        CommandArgument(spec: ArgumentSpec(name, help: help, isOptional: true)) { root, values in
            root[keyPath: keyPath] = values.first?.value
        }
    }

    /// The last argument, taking every remaining positional value, possibly none.
    /// - Parameters:
    ///   - name: The name shown in help and errors.
    ///   - help: One sentence for help.
    ///   - keyPath: The property the values are stored in, each with whether it came after `--`.
    public static func variadic(_ name: String, help: String, _ keyPath: any WritableKeyPath<Root, [PositionalValue]> & Sendable) -> Self {
        CommandArgument(spec: ArgumentSpec(name, help: help, isOptional: true, isVariadic: true)) { root, values in
            root[keyPath: keyPath] = values
        }
    }
}
