import Taskiq

extension ConfigValidator {
    /// The key of a named broker's entry that overrides the top-level result backend.
    static let resultBackendKey = "result_backend"

    /// Validates the top-level `brokers` object: each entry a broker component, optionally with
    /// its own `result_backend`.
    func namedBrokers(_ value: JSONValue?) throws(ConfigError) -> [NamedBrokerSettings] {
        guard let value else { return [] }
        let path = JSONPath.root.key("brokers")
        guard case .object(let entries) = value else {
            throw wrongType(value, at: path, expected: "an object of named brokers such as {\"fast\": {\"type\": \"zeromq\"}}")
        }
        var brokers: [NamedBrokerSettings] = []
        for (name, entry) in entries {
            let entryPath = path.key(name)
            try checkBrokerName(name, at: entryPath)
            let broker = try component(.broker, entry, at: entryPath, reserved: [Self.resultBackendKey])
            let resultBackend = try entry.objectValue?[Self.resultBackendKey].map { value throws(ConfigError) in
                try component(.resultBackend, value, at: entryPath.key(Self.resultBackendKey))
            }
            brokers.append(NamedBrokerSettings(name: name, broker: broker, resultBackend: resultBackend))
        }
        return brokers
    }

    /// Broker names appear on command lines and in routes, so they are plain words; `default`
    /// already names the main broker.
    private func checkBrokerName(_ name: String, at path: JSONPath) throws(ConfigError) {
        let plain = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        guard plain else {
            throw ConfigError(
                .outOfRange, file: document.origin(of: path), path: path.text,
                "found broker name \(String(reflecting: name)); expected letters, digits, '_' and '-' only")
        }
        guard name != TaskiqConfiguration.defaultBrokerName else {
            throw ConfigError(
                .outOfRange, file: document.origin(of: path), path: path.text,
                """
                found broker name '\(name)', which names the main broker (the top-level "broker"); \
                expected another name, or set "broker" itself
                """)
        }
    }

    /// Validates `tasks.routes`: globs over the loaded modules' names, each naming a declared broker.
    func moduleRoutes(_ tasks: JSONValue?, loaded: [String], brokerNames: [String]) throws(ConfigError) -> [ModuleRoute] {
        guard let value = tasks?.objectValue?["routes"] else { return [] }
        let path = JSONPath.root.key("tasks").key("routes")
        guard case .object(let entries) = value else {
            throw wrongType(value, at: path, expected: "an object of module globs to broker names such as {\"billing.*\": \"fast\"}")
        }
        var routes: [ModuleRoute] = []
        for (pattern, target) in entries {
            let routePath = path.key(pattern)
            let file = document.origin(of: routePath)
            guard case .string(let name) = target else {
                throw wrongType(target, at: routePath, expected: "a broker name (one of: \(brokerNames.joined(separator: ", ")))")
            }
            guard brokerNames.contains(name) else {
                var message = "unknown broker '\(name)'"
                if let match = closestMatch(to: name, in: brokerNames) { message += "; did you mean '\(match)'?" }
                message += "; expected '\(TaskiqConfiguration.defaultBrokerName)' (the main broker) or a key of \"brokers\""
                if brokerNames.count > 1 { message += " (\(brokerNames.dropFirst().joined(separator: ", ")))" }
                throw ConfigError(.unknownBroker, file: file, path: routePath.text, message)
            }
            let route = ModuleRoute(pattern: pattern, broker: name, path: routePath.text)
            guard loaded.contains(where: { route.matches(module: $0) }) else {
                let list = loaded.isEmpty ? "none are loaded" : loaded.joined(separator: ", ")
                throw ConfigError(
                    .noModuleMatches, file: file, path: routePath.text,
                    "route pattern '\(pattern)' matches no loaded module; loaded modules: \(list)")
            }
            routes.append(route)
        }
        return routes
    }
}
