import Taskiq

extension TaskiqRunner {
    /// `check`: the resolved configuration and the loaded tasks.
    func check(_ system: TaskiqSystem) async throws -> Int32 {
        for warning in system.warnings { Console.error("warning: \(warning)\n") }
        Console.out("\(system.configuration.file): OK\n")
        Console.out(system.resolvedConfiguration.prettyPrinted + "\n")
        Console.out("tasks:\n")
        for task in system.tasks { Console.out("  \(task.signature)\n") }
        return 0
    }

    /// `tasks`: modules, then each task's signature and labels.
    func listTasks(_ system: TaskiqSystem) -> Int32 {
        let tasks = system.tasks
        for module in system.modules {
            Console.out("\(module.name)\n")
            for task in tasks where task.module == module.name {
                var line = "  \(task.signature)"
                if !task.labels.isEmpty {
                    line += "  labels: " + String(decoding: JSONValue.object(task.labels).serialized(style: .compact), as: UTF8.self)
                }
                Console.out(line + "\n")
            }
        }
        return 0
    }
}
