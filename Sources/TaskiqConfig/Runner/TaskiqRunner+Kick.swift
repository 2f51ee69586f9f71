import Taskiq

extension TaskiqRunner {
    /// `kick`: sends one task; with `--wait`, prints its return value as JSON on standard output.
    func kick(_ command: ParsedCommand, system: TaskiqSystem) async throws -> Int32 {
        let taskName = command.argument("TASK") ?? ""
        let args = command.arguments("ARGS").map(Self.argumentValue)
        var labels = JSONObject()
        for pair in command.strings("label") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CommandLineError(code: .invalidValue, command: "kick", argument: pair,
                                       message: "'--label' expects KEY=VALUE, found '\(pair)'")
            }
            labels[String(pair[..<equals])] = Self.argumentValue(String(pair[pair.index(after: equals)...]))
        }
        let timeout = try command.double("timeout").map { seconds throws(CommandLineError) -> Duration in
            // Checked: Int(1e300 * 1000) trapped.
            do { return try Duration.checkedSeconds(seconds, of: "'--timeout'") } catch {
                throw CommandLineError(code: .invalidValue, command: "kick", argument: "\(seconds)", message: "\(error)")
            }
        }
        let logger = Logger(label: "taskiq.kick")
        try await system.startup()
        do {
            let taskID = try await system.kick(taskName, args: args, labels: labels, taskID: command.string("task-id"))
            logger.debug("sent \(taskName) as \(taskID)")
            var status: Int32 = 0
            if command.flag("wait") {
                let result = try await system.waitResult(taskID, task: taskName, timeout: timeout)
                if result.isErr {
                    let reason = result.error.map(String.init(describing:)) ?? "unknown error"
                    Console.error("\(programName): task \(taskName) (\(taskID)) failed: \(reason)\n")
                    status = 1
                } else {
                    let value = result.returnValue ?? .null
                    Console.out(String(decoding: value.serialized(style: .compact), as: UTF8.self) + "\n")
                }
            } else {
                Console.out(taskID + "\n")
            }
            try await system.shutdown()
            return status
        } catch {
            try? await system.shutdown()
            throw error
        }
    }

    /// An argument as JSON when it parses, otherwise as a plain string.
    static func argumentValue(_ text: String) -> JSONValue {
        (try? JSONParser().parse(text)) ?? .string(text)
    }
}
