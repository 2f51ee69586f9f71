import Taskiq

extension ComponentRegistry {
    /// The options of the `file` dead-letter queue.
    enum FileDeadLetterKeys {
        static let path = Option<String>.requiredString(
            "path", description: "The file, relative to the working directory; its directory must exist.")
    }

    /// Registers the `file` dead-letter queue.
    mutating func registerFileTypes() {
        register(
            deadLetterQueue: "file",
            summary: "Appends dead letters to a JSON-lines file (one letter per line, flushed before the message is acknowledged); workers on one machine can share it.",
            options: [FileDeadLetterKeys.path],
            check: { options throws(ConfigError) in
                let path = try options[FileDeadLetterKeys.path]
                if path.isEmpty {
                    throw ConfigError(.outOfRange, file: "", path: FileDeadLetterKeys.path.name,
                                      "found an empty path; expected a file such as \"dead-letters.jsonl\"")
                }
                if let problem = WritableFileCheck.problem(with: path) {
                    throw ConfigError(.unwritableFile, file: "", path: FileDeadLetterKeys.path.name,
                                      "\(problem); expected a file this process can append to, in an existing directory")
                }
            }
        ) { options in
            FileDeadLetterQueue(path: try options[FileDeadLetterKeys.path])
        }
    }
}
