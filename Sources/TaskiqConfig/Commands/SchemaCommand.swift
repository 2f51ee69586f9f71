/// `schema`: prints the JSON Schema of configuration files, or the configuration reference,
/// generated from the runner's registry.
public struct SchemaCommand: RunnerCommand {
    /// What `schema` prints.
    public enum Format: String, CaseIterable, Sendable {
        /// A JSON Schema (draft 2020-12), for editors: ``ComponentRegistry/jsonSchema()``.
        case json
        /// The configuration reference, a DocC article: ``ComponentRegistry/configurationReference()``.
        case markdown
    }

    /// The name and help.
    public static let configuration = CommandConfiguration(
        "schema", abstract: "Print the JSON Schema of configuration files, or their reference in Markdown.",
        discussion: """
            Both are generated from the component registry: every component type, option, type, default, \
            range and description, in the same order. The package checks both in and its tests fail when \
            either is stale.

            After changing an option, regenerate them from the package root with \
            swift run taskiq-run schema > examples/taskiq.schema.json and \
            \(ComponentRegistry.referenceCommand).
            """)

    /// `--format`.
    public static let options: [CommandOption<Self>] = [
        .option(
            "format", valueName: "FORMAT",
            help: "json (a JSON Schema for editors) or markdown (the configuration reference, a DocC article).",
            \.format, .choice)
    ]

    /// What to print.
    public var format = Format.json

    /// Creates the command.
    public init() {}

    /// Prints the schema or the reference and returns 0.
    public func run(_ context: CommandContext) async throws -> Int32 {
        switch format {
        case .json: Console.out(context.runner.registry.jsonSchema().prettyPrinted + "\n")
        case .markdown: Console.out(context.runner.registry.configurationReference())
        }
        return 0
    }
}
