import Taskiq

/// Turns a loaded document into a ``TaskiqConfiguration``, or the first ``ConfigError``.
struct ConfigValidator {
    let document: ConfigDocument
    let registry: ComponentRegistry
    let modules: [TaskModule]

    func validate() throws(ConfigError) -> TaskiqConfiguration {
        let root = document.root
        for key in root.keys where !TaskiqConfiguration.topLevelKeys.contains(key) {
            throw unknownKey(key, at: .root, allowed: TaskiqConfiguration.topLevelKeys, owner: "the configuration")
        }
        guard let brokerValue = root["broker"] else {
            throw ConfigError(
                .missingKey, file: document.file, path: "broker",
                "missing; expected a broker such as {\"type\": \"inmemory\"} (known types: \(known(.broker)))")
        }
        let broker = try component(.broker, brokerValue, at: JSONPath.root.key("broker"))
        let resultBackend = try root["result_backend"].map { value throws(ConfigError) in
            try component(.resultBackend, value, at: JSONPath.root.key("result_backend"))
        }
        let generator = try root["task_id_generator"].map { value throws(ConfigError) in
            try component(.taskIDGenerator, value, at: JSONPath.root.key("task_id_generator"))
        }
        var middlewares: [ComponentSettings] = []
        if let value = root["middlewares"] {
            let path = JSONPath.root.key("middlewares")
            guard case .array(let entries) = value else {
                throw wrongType(value, at: path, expected: "an array of middlewares such as [{\"type\": \"simple_retry\"}]")
            }
            for (index, entry) in entries.enumerated() {
                middlewares.append(try component(.middleware, entry, at: path.index(index)))
            }
        }
        let brokers = try namedBrokers(root["brokers"])
        let selected = try moduleSelection(root["tasks"])
        let routes = try moduleRoutes(
            root["tasks"], loaded: selected, brokerNames: [TaskiqConfiguration.defaultBrokerName] + brokers.map(\.name))
        let workerPath = JSONPath.root.key("worker")
        var workerObject: JSONObject = [:]
        if let value = root["worker"] {
            guard case .object(let object) = value else { throw wrongType(value, at: workerPath, expected: "an object") }
            workerObject = object
        }
        var limitsObject: JSONObject = [:]
        let limitsPath = workerPath.key(WorkerSettings.limitsKey)
        if let value = workerObject[WorkerSettings.limitsKey] {
            guard case .object(let object) = value else {
                throw wrongType(value, at: limitsPath, expected: "an object of caps such as {\"max_message_size\": 1048576}")
            }
            limitsObject = object
            workerObject[WorkerSettings.limitsKey] = nil
        }
        let worker = try WorkerSettings(
            ComponentOptions(
                type: "worker",
                values: try options(
                    workerObject, declared: WorkerSettings.options, at: workerPath,
                    owner: "the worker section", alsoAllowed: [WorkerSettings.limitsKey])),
            limits: ComponentOptions(
                type: "worker.limits",
                values: try options(
                    limitsObject, declared: WorkerSettings.limitOptions, at: limitsPath, owner: "worker.limits")))
        try worker.checkRateLimits(in: document, at: workerPath)
        let schedules = try schedules(root["schedules"], loadedModules: selected)
        let scheduler = try schedulerSettings(root["scheduler"])
        let deadLetters = try deadLetterSettings(root["dead_letters"])
        let metrics = try metricsSettings(root["metrics"])
        for settings in [broker] + brokers.map(\.broker) {
            // A broker that cannot read a message the worker would accept leaves it pending (stream) or loses it (list).
            if let bulk = settings.options[ComponentRegistry.RedisReplyLimitKeys().maxBulkLength.name]?.intValue,
                bulk < worker.limits.maxMessageSize
            {
                let path = JSONPath.root.key("worker").key(WorkerSettings.limitsKey).key("max_message_size")
                throw ConfigError(
                    .impossibleSettings, file: document.origin(of: path), path: path.text,
                    """
                    found \(worker.limits.maxMessageSize) bytes, more than the '\(settings.type.name)' broker (\(settings.path)) \
                    reads from Redis (max_bulk_length \(bulk)); expected at most \(bulk), or a larger max_bulk_length
                    """)
            }
        }
        if worker.workers > 1 {
            let path = workerPath.key("workers")
            let named: [ComponentSettings?] = brokers.flatMap { [$0.broker, $0.resultBackend] }
            for settings in ([broker, resultBackend] + named).compactMap({ $0 }) where settings.type.isProcessLocal {
                throw ConfigError(
                    .impossibleSettings, file: document.origin(of: path), path: path.text,
                    """
                    found \(worker.workers) worker processes, but the '\(settings.type.name)' \(settings.kind.noun) \
                    (\(settings.path)) only works inside one process; expected workers: 1, or a \(settings.kind.noun) \
                    that several processes can share
                    """)
            }
        }
        return TaskiqConfiguration(
            file: document.file, broker: broker, brokers: brokers, resultBackend: resultBackend, taskIDGenerator: generator,
            middlewares: middlewares, modules: selected, routes: routes, worker: worker, schedules: schedules,
            scheduler: scheduler, deadLetters: deadLetters, metrics: metrics, document: document)
    }

    // MARK: Components

    /// Validates one component. `reserved` keys are left to the caller (a named broker's
    /// `result_backend`): they are skipped here but offered as suggestions for misspelt keys.
    func component(
        _ kind: ComponentKind, _ value: JSONValue, at path: JSONPath,
        reserved: [String] = []
    ) throws(ConfigError) -> ComponentSettings {
        let object: JSONObject
        switch value {
        case .string(let name) where kind == .taskIDGenerator:
            object = ["type": .string(name)]
        case .object(let members):
            object = members
        default:
            let shorthand = kind == .taskIDGenerator ? "a type name such as \"uuid7\" or " : ""
            throw wrongType(value, at: path, expected: "\(shorthand)an object with a \"type\" key (one of: \(known(kind)))")
        }
        let typePath = kind == .taskIDGenerator && value.stringValue != nil ? path : path.key("type")
        guard let typeValue = object["type"] else {
            throw ConfigError(
                .missingKey, file: document.origin(of: path), path: typePath.text,
                "missing \"type\"; expected one of: \(known(kind))")
        }
        guard case .string(let name) = typeValue else {
            throw wrongType(typeValue, at: typePath, expected: "a \(kind.noun) type name (one of: \(known(kind)))")
        }
        guard let type = registry.type(kind, named: name) else {
            var message = "unknown \(kind.noun) type '\(name)'"
            if let match = closestMatch(to: name, in: registry.types(of: kind).map(\.name)) {
                message += "; did you mean '\(match)'?"
            }
            message += "; known \(kind.noun) types: \(known(kind))"
            throw ConfigError(.unknownComponentType, file: document.origin(of: typePath), path: typePath.text, message)
        }
        var rest = object
        rest["type"] = nil
        for key in reserved { rest[key] = nil }
        if kind == .broker { try rejectMovedBrokerKeys(in: rest, declared: type.options, at: path) }
        let values = try options(
            rest, declared: type.options, at: path, owner: "the '\(name)' \(kind.noun)",
            alsoAllowed: reserved)
        let options = ComponentOptions(type: name, values: values)
        do {
            try type.check?(options)
        } catch {
            let at = error.path.isEmpty ? path : path.appending(relative: error.path)
            throw ConfigError(error.code, file: document.origin(of: at), path: at.text, error.message)
        }
        return ComponentSettings(kind: kind, type: type, options: options, path: path.text, file: document.origin(of: path))
    }

    /// Validates an object of options against their declarations, filling in defaults.
    func options(
        _ object: JSONObject, declared: [ComponentOption], at path: JSONPath,
        owner: String, alsoAllowed: [String] = []
    ) throws(ConfigError) -> JSONObject {
        let names = declared.map(\.name)
        for key in object.keys where !names.contains(key) {
            throw unknownKey(key, at: path, allowed: names + alsoAllowed, owner: owner)
        }
        var values = JSONObject()
        for option in declared {
            let optionPath = path.key(option.name)
            if let value = object[option.name] {
                values[option.name] = try option.coerce(value, path: optionPath, file: document.origin(of: optionPath))
            } else if option.isRequired {
                throw ConfigError(
                    .missingKey, file: document.origin(of: path), path: optionPath.text,
                    "missing; \(owner) requires it (\(option.expectation))")
            } else {
                values[option.name] = option.defaultValue
            }
        }
        return values
    }

    // MARK: Tasks

    private func moduleSelection(_ value: JSONValue?) throws(ConfigError) -> [String] {
        let available = modules.map(\.name)
        guard let value else { return available }
        let path = JSONPath.root.key("tasks")
        guard case .object(let object) = value else {
            throw wrongType(value, at: path, expected: "an object such as {\"modules\": [...], \"discover\": \"examples.*\"}")
        }
        let keys = ["modules", "discover", "routes"]
        for key in object.keys where !keys.contains(key) {
            throw unknownKey(key, at: path, allowed: keys, owner: "the tasks section")
        }
        // A section that only routes (or is empty) selects like an absent one: every module.
        if object["modules"] == nil && object["discover"] == nil { return available }
        var selected: [String] = []
        let availableList = available.isEmpty ? "none are compiled in" : available.joined(separator: ", ")
        if let listed = object["modules"] {
            let listPath = path.key("modules")
            guard case .array(let names) = listed else { throw wrongType(listed, at: listPath, expected: "an array of module names") }
            for (index, entry) in names.enumerated() {
                let entryPath = listPath.index(index)
                guard case .string(let name) = entry else { throw wrongType(entry, at: entryPath, expected: "a module name") }
                guard available.contains(name) else {
                    var message = "unknown module '\(name)'"
                    if let match = closestMatch(to: name, in: available) { message += "; did you mean '\(match)'?" }
                    throw ConfigError(
                        .unknownModule, file: document.origin(of: entryPath), path: entryPath.text,
                        message + "; available modules: \(availableList)")
                }
                if !selected.contains(name) { selected.append(name) }
            }
        }
        if let discover = object["discover"] {
            let discoverPath = path.key("discover")
            var patterns: [(String, JSONPath)] = []
            switch discover {
            case .string(let pattern): patterns = [(pattern, discoverPath)]
            case .array(let entries):
                for (index, entry) in entries.enumerated() {
                    guard case .string(let pattern) = entry else {
                        throw wrongType(entry, at: discoverPath.index(index), expected: "a glob such as \"examples.*\"")
                    }
                    patterns.append((pattern, discoverPath.index(index)))
                }
            default:
                throw wrongType(discover, at: discoverPath, expected: "a glob such as \"examples.*\" or an array of globs")
            }
            for (pattern, patternPath) in patterns {
                let glob = ModulePattern(pattern)
                let matching = modules.filter { module in
                    glob.matches(module.name) || module.taskNames.contains(where: glob.matches)
                }
                guard !matching.isEmpty else {
                    throw ConfigError(
                        .noModuleMatches, file: document.origin(of: patternPath), path: patternPath.text,
                        "pattern '\(pattern)' matches no module or task name; available modules: \(availableList)")
                }
                for module in matching where !selected.contains(module.name) { selected.append(module.name) }
            }
        }
        return selected
    }

    // MARK: Errors

    func known(_ kind: ComponentKind) -> String {
        let names = registry.types(of: kind).map(\.name)
        return names.isEmpty ? "none registered" : names.joined(separator: ", ")
    }

    func unknownKey(_ key: String, at path: JSONPath, allowed: [String], owner: String) -> ConfigError {
        let keyPath = path.key(key)
        var message = "unknown key '\(key)' in \(owner)"
        if let match = closestMatch(to: key, in: allowed) { message += "; did you mean '\(match)'?" }
        message += allowed.isEmpty ? "; it takes no settings" : "; expected one of: \(allowed.joined(separator: ", "))"
        return ConfigError(.unknownKey, file: document.origin(of: keyPath), path: keyPath.text, message)
    }

    func wrongType(_ value: JSONValue, at path: JSONPath, expected: String) -> ConfigError {
        ConfigError(.wrongType, file: document.origin(of: path), path: path.text, "expected \(expected), found \(value.described)")
    }
}
