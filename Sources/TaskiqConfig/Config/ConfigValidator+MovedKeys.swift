import Taskiq

extension ConfigValidator {
    /// Broker keys of older files that now live elsewhere, with the path they moved to and why.
    ///
    /// The worker settings were declared on the `inmemory` broker only, yet read from whichever
    /// broker a worker ran, so other brokers could not set them; the in-memory broker's
    /// `max_stored_results` sized a result backend that any `result_backend` section replaced.
    static let movedBrokerKeys: [(name: String, movedTo: String, reason: String)] =
        WorkerSettings.Keys.movedFromBroker.map { option in
            (option.declaration.name, "worker.\(option.declaration.name)", "a worker setting, for every broker")
        } + [
            (
                ComponentRegistry.InMemoryResultBackendKeys().maxStoredResults.name, "result_backend.max_stored_results",
                "the results are kept by the result backend, such as {\"type\": \"inmemory\", \"max_stored_results\": 100}"
            )
        ]

    /// Throws for a key of ``movedBrokerKeys`` that the broker type does not declare itself, saying
    /// where it moved, so that an old file fails to load instead of losing the setting silently.
    func rejectMovedBrokerKeys(in object: JSONObject, declared: [ComponentOption], at path: JSONPath) throws(ConfigError) {
        for moved in Self.movedBrokerKeys where object[moved.name] != nil && !declared.contains(where: { $0.name == moved.name }) {
            let keyPath = path.key(moved.name)
            throw ConfigError(
                .movedKey, file: document.origin(of: keyPath), path: keyPath.text,
                "'\(moved.name)' moved to \(moved.movedTo) (\(moved.reason)); expected it there, not in the broker")
        }
    }
}
