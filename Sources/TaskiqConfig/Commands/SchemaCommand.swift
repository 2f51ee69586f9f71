/// `schema`: prints the JSON Schema of configuration files, generated from the runner's registry.
public struct SchemaCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration("schema", abstract: "Print the JSON Schema of configuration files.")

    /// None.
    public static let options: [CommandOption<Self>] = []

    /// Creates the command.
    public init() {}

    /// Prints the schema and returns 0.
    public func run(_ context: CommandContext) async throws -> Int32 {
        Console.out(context.runner.registry.jsonSchema().prettyPrinted + "\n")
        return 0
    }
}
