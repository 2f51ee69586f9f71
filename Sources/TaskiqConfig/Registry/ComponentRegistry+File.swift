import Taskiq

extension ComponentRegistry {
    /// The options of the `file` dead-letter queue.
    struct FileDeadLetterKeys: OptionGroup {
        let path = Option<String>.requiredString(
            "path", description: "The file, relative to the working directory; its directory must exist.")
    }

    /// Registers the `file` dead-letter queue.
    mutating func registerFileTypes() {
        let keys = FileDeadLetterKeys()
        register(
            deadLetterQueue: "file",
            summary:
                "Appends dead letters to a JSON-lines file (one letter per line, flushed before the message is acknowledged); workers on one machine can share it.",
            options: keys.declarations,
            check: { options throws(ConfigError) in
                let path = try options[keys.path]
                if path.isEmpty {
                    throw ConfigError(
                        .outOfRange, file: "", path: keys.path.name,
                        "found an empty path; expected a file such as \"dead-letters.jsonl\"")
                }
                if let problem = WritableFileCheck.problem(with: path) {
                    throw ConfigError(
                        .unwritableFile, file: "", path: keys.path.name,
                        "\(problem); expected a file this process can append to, in an existing directory")
                }
            }
        ) { options in
            FileDeadLetterQueue(path: try options[keys.path])
        }
    }
}
