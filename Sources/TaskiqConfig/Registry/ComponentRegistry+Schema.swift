import Taskiq

extension ComponentRegistry {
    /// A JSON Schema (draft 2020-12) for configuration files that name this registry's types.
    ///
    /// Each component kind is a `oneOf` over its registered types, discriminated by a `type`
    /// const, with every option's type, default, range and description. Numbers and booleans also
    /// accept `${VAR}` strings. Editors use it for completion and validation; `taskiq-run schema`
    /// prints it.
    public func jsonSchema() -> JSONValue {
        var definitions = JSONObject()
        definitions["interpolated"] = [
            "type": "string",
            "pattern": "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}",
            "description": "A string containing ${VAR} or ${VAR:-default}, resolved from the environment.",
        ]
        for kind in ComponentKind.allCases {
            var choices: [JSONValue] = []
            for type in types(of: kind) {
                let name = "\(kind.rawValue).\(type.name)"
                definitions[name] = .object(Self.schema(of: type))
                choices.append(["$ref": .string("#/$defs/\(name)")])
            }
            definitions[kind.rawValue] = ["oneOf": .array(choices)]
        }
        // A named broker is a broker that may also name its own result backend; each type's
        // schema forbids other keys, so the variant is generated per type.
        var namedChoices: [JSONValue] = []
        for type in types(of: .broker) {
            var schema = Self.schema(of: type)
            var properties = schema["properties"]?.objectValue ?? [:]
            properties[ConfigValidator.resultBackendKey] = [
                "$ref": "#/$defs/result_backend",
                "description": "This broker's own result backend, instead of the top-level result_backend.",
            ]
            schema["properties"] = .object(properties)
            definitions["named_broker.\(type.name)"] = .object(schema)
            namedChoices.append(["$ref": .string("#/$defs/named_broker.\(type.name)")])
        }
        definitions["named_broker"] = ["oneOf": .array(namedChoices)]
        var properties = JSONObject()
        properties["$schema"] = ["type": "string", "description": "The schema this file follows (ignored)."]
        properties["extends"] = ["type": "string", "description": "A base file, relative to this one, that this file overlays: objects merge, arrays replace."]
        properties["broker"] = ["$ref": "#/$defs/broker"]
        properties["brokers"] = [
            "type": "object",
            "description": """
                Further brokers by name, for tasks.routes and `taskiq-run worker --broker NAME`. Each gets the \
                top-level result backend, task-ID generator and middlewares unless it names its own result_backend.
                """,
            "propertyNames": ["pattern": "^[A-Za-z0-9_-]+$", "not": ["const": .string(TaskiqConfiguration.defaultBrokerName)]],
            "additionalProperties": ["$ref": "#/$defs/named_broker"],
        ]
        properties["result_backend"] = ["$ref": "#/$defs/result_backend"]
        let generatorNames = types(of: .taskIDGenerator).map { JSONValue.string($0.name) }
        properties["task_id_generator"] = ["oneOf": [["enum": .array(generatorNames)], ["$ref": "#/$defs/task_id_generator"]]]
        properties["middlewares"] = ["type": "array", "description": "Middlewares, in the order their hooks run.",
                                     "items": ["$ref": "#/$defs/middleware"]]
        properties["tasks"] = [
            "type": "object", "additionalProperties": false,
            "description": "Which compiled-in task modules to load (all of them when neither modules nor discover is given), and the broker each goes to.",
            "properties": [
                "modules": ["type": "array", "items": ["type": "string"], "description": "Module names to load."],
                "discover": [
                    "description": "Globs over module and task names (* within a segment, ** across, ? one character).",
                    "oneOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]],
                ],
                "routes": [
                    "type": "object",
                    "description": """
                        Module-name globs to broker names (default, or a key of brokers); the first match in the \
                        order written wins, and modules no route matches go to the main broker.
                        """,
                    "additionalProperties": ["type": "string"],
                ],
            ],
        ]
        properties["worker"] = [
            "type": "object", "additionalProperties": false, "description": "How worker processes run.",
            "properties": .object(Self.properties(of: WorkerSettings.options)),
        ]
        properties["schedules"] = ["type": "array", "description": "Scheduled tasks (read by the scheduler)."]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://github.com/taskiq-swift/taskiq-swift/examples/taskiq.schema.json",
            "title": "Taskiq for Swift configuration",
            "type": "object",
            "additionalProperties": false,
            // A file that extends another may leave the broker to its base.
            "if": ["not": ["required": ["extends"]]],
            "then": ["required": ["broker"]],
            "properties": .object(properties),
            "$defs": .object(definitions),
        ]
    }

    private static func schema(of type: ComponentType) -> JSONObject {
        var properties: JSONObject = ["type": ["const": .string(type.name)]]
        for (key, value) in Self.properties(of: type.options) { properties[key] = value }
        var schema: JSONObject = ["type": "object"]
        if !type.summary.isEmpty { schema["description"] = .string(type.summary) }
        schema["properties"] = .object(properties)
        schema["required"] = .array((["type"] + type.options.filter(\.isRequired).map(\.name)).map(JSONValue.string))
        schema["additionalProperties"] = false
        return schema
    }

    private static func properties(of options: [ComponentOption]) -> JSONObject {
        var properties = JSONObject()
        for option in options { properties[option.name] = .object(schema(of: option)) }
        return properties
    }

    private static func schema(of option: ComponentOption) -> JSONObject {
        var typed: JSONObject
        switch option.type {
        case .integer: typed = ["type": "integer"]
        case .number: typed = ["type": "number"]
        case .boolean: typed = ["type": "boolean"]
        case .string: typed = ["type": "string"]
        case .choice(let values): typed = ["enum": .array(values.map(JSONValue.string))]
        }
        if let range = option.range {
            let bound: (Double) -> JSONValue = { option.type == .integer ? .int(Int($0)) : .double($0) }
            typed["minimum"] = bound(range.lowerBound)
            if range.upperBound < Double(Int.max / 2) { typed["maximum"] = bound(range.upperBound) }
        }
        var alternatives: [JSONValue] = [.object(typed)]
        switch option.type {
        case .integer, .number, .boolean, .choice: alternatives.append(["$ref": "#/$defs/interpolated"])
        default: break
        }
        let nullable = option.defaultValue.isNull && !option.isRequired
        if nullable { alternatives.append(["type": "null"]) }
        var schema: JSONObject = ["description": .string(option.description)]
        if !option.defaultValue.isNull { schema["default"] = option.defaultValue }
        if alternatives.count == 1 {
            for (key, value) in typed { schema[key] = value }
        } else {
            schema["anyOf"] = .array(alternatives)
        }
        return schema
    }
}
