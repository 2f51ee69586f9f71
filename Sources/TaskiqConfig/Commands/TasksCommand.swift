import Taskiq

/// `tasks`: lists the loaded modules with their brokers, then each task's signature and labels.
public struct TasksCommand: RunnerCommand {
    /// The name and help.
    public static let configuration = CommandConfiguration(
        "tasks", abstract: "List the loaded modules, the broker each is routed to, and their tasks.")

    /// `-c, --config`, then the logging options.
    public static let options: [CommandOption<Self>] = [.configFile(\.config)] + .group(\.logging)

    /// The configuration file.
    public var config: String?
    /// The logging overrides.
    public var logging = LoggingOptions()

    /// Creates the command with its defaults.
    public init() {}

    /// Prints the listing and returns 0.
    public func run(_ context: CommandContext) async throws -> Int32 {
        let system = try context.runner.assemble(config: config, logging: logging, environment: context.environment)
        Console.out(Self.listing(system))
        return 0
    }

    /// What `tasks` prints on standard output.
    static func listing(_ system: TaskiqSystem) -> String {
        var text = ""
        let tasks = system.tasks
        for module in system.modules {
            text += moduleHeading(module.name, system: system) + "\n"
            for task in tasks where task.module == module.name {
                var line = "  \(task.signature)"
                if !task.labels.isEmpty {
                    line += "  labels: " + String(decoding: JSONValue.object(task.labels).serialized(style: .compact), as: UTF8.self)
                }
                text += line + "\n"
            }
        }
        return text
    }

    /// `billing.invoices (broker: fast, route "billing.*")`, or `examples (broker: default)` for
    /// a module no route matches.
    static func moduleHeading(_ module: String, system: TaskiqSystem) -> String {
        guard let route = system.configuration.route(forModule: module) else {
            return "\(module) (broker: \(TaskiqConfiguration.defaultBrokerName))"
        }
        return "\(module) (broker: \(route.broker), route \(String(reflecting: route.pattern)))"
    }
}
