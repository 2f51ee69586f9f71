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
                var schema = Self.schema(of: type)
                if kind == .deadLetterQueue {
                    var properties = schema["properties"]?.objectValue ?? [:]
                    properties[DeadLetterSettings.failedTasksKey] = .object(Self.schema(of: DeadLetterSettings.failedTasksOption))
                    schema["properties"] = .object(properties)
                }
                definitions[name] = .object(schema)
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
        properties["extends"] = [
            "type": "string", "description": "A base file, relative to this one, that this file overlays: objects merge, arrays replace.",
        ]
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
        properties["middlewares"] = [
            "type": "array", "description": "Middlewares, in the order their hooks run.",
            "items": ["$ref": "#/$defs/middleware"],
        ]
        properties["dead_letters"] = [
            "$ref": "#/$defs/dead_letters",
            "description": """
            Where undecodable messages, unknown task names and finally failed tasks go, for \
            `taskiq-run dead-letters`; without it, redis_stream brokers use their <queue_name>:dead stream, \
            rabbitmq brokers their dead-letter queue and nats_jetstream brokers their dead-letter stream, \
            and other brokers log, count and acknowledge such messages.
            """,
        ]
        properties["tasks"] = [
            "type": "object", "additionalProperties": false,
            "description":
                "Which compiled-in task modules to load (all of them when neither modules nor discover is given), and the broker each goes to.",
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
        var worker = Self.properties(of: WorkerSettings.options)
        worker[WorkerSettings.limitsKey] = [
            "type": "object", "additionalProperties": false,
            "description":
                "Caps on incoming messages; a message over one is logged with the cap and the value found, counted and acknowledged instead of run.",
            "properties": .object(Self.properties(of: WorkerSettings.limitOptions)),
        ]
        properties["worker"] = [
            "type": "object", "additionalProperties": false, "description": "How worker processes run.",
            "properties": .object(worker),
        ]
        properties["schedules"] = [
            "type": "array",
            "description": """
            Tasks sent on a schedule by `taskiq-run scheduler` (or by the worker of an in-memory broker), \
            besides the tasks' own schedule labels.
            """,
            "items": ["$ref": "#/$defs/schedule"],
        ]
        definitions["schedule"] = Self.scheduleSchema
        var scheduler = Self.properties(of: SchedulerSettings.options)
        scheduler[SchedulerSettings.leaseKey] = [
            "$ref": "#/$defs/scheduler_lease",
            "description": "Which scheduler process may send; the local lease (one scheduler) when absent.",
        ]
        scheduler[SchedulerSettings.stateStoreKey] = [
            "$ref": "#/$defs/scheduler_state_store",
            "description": "Where the last slot sent of each schedule is recorded; in memory when absent.",
        ]
        properties["metrics"] = [
            "type": "object", "additionalProperties": false,
            "description": "A Prometheus /metrics endpoint on the worker, the scheduler and the supervisor; none when absent.",
            "properties": .object(Self.properties(of: MetricsSettings.options)),
        ]
        properties["scheduler"] = [
            "type": "object", "additionalProperties": false, "description": "How schedules are sent.",
            "properties": .object(scheduler),
        ]
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

    /// One entry of `schedules`: a task and exactly one of cron, interval and time.
    private static var scheduleSchema: JSONValue {
        let json: JSONValue = ["description": "Any JSON value."]
        return [
            "type": "object", "additionalProperties": false,
            "description": "A task sent on a schedule: task and exactly one of cron, interval and time.",
            "required": ["task"],
            "oneOf": [["required": ["cron"]], ["required": ["interval"]], ["required": ["time"]]],
            "properties": [
                "task": ["type": "string", "description": "The name of a loaded task, such as examples.heartbeat."],
                "cron": [
                    "type": "string",
                    "description":
                        "Five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly.",
                ],
                "cron_offset": [
                    "type": "string",
                    "description":
                        "The cron's time zone: an IANA name (Europe/Berlin), an offset (+02:00) or a duration (PT2H); UTC when absent.",
                ],
                "interval": [
                    "description":
                        "Whole seconds between sends (at least 1), or an ISO-8601 duration such as PT2M; the first send is at start.",
                    "anyOf": [["type": "integer", "minimum": 1], ["type": "string", "pattern": "^-?P"]],
                ],
                "time": [
                    "type": "string", "format": "date-time",
                    "description": "Send once at this ISO-8601 time (UTC when no zone is given); at once if past.",
                ],
                "args": ["type": "array", "items": json, "description": "Positional arguments."],
                "kwargs": ["type": "object", "additionalProperties": json, "description": "Keyword arguments."],
                "labels": [
                    "type": "object", "additionalProperties": json,
                    "description": "Labels of every message, over the task's own labels.",
                ],
                "schedule_id": [
                    "type": "string",
                    "description": "The schedule's ID; derived from its content when absent, so it is the same on every start.",
                ],
                "task_id": ["type": "string", "description": "A task ID every message reuses; a new one per message when absent."],
            ],
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
        case .address(let format):
            typed = ["type": "string", "pattern": .string("^" + format.scheme)]
        case .objects(let fields):
            let item: JSONObject = [
                "type": "object", "properties": .object(properties(of: fields)),
                "required": .array(fields.filter(\.isRequired).map { .string($0.name) }), "additionalProperties": false,
            ]
            typed = ["type": "array", "items": .object(item)]
        case .strings:
            typed = ["type": "array", "items": ["type": "string"]]
        }
        if let range = option.range {
            let bound: (Double) -> JSONValue = { option.type == .integer ? .int(Int($0)) : .double($0) }
            typed["minimum"] = bound(range.lowerBound)
            if range.upperBound < Double(Int.max / 2) { typed["maximum"] = bound(range.upperBound) }
        }
        var alternatives: [JSONValue] = [.object(typed)]
        switch option.type {
        case .integer, .number, .boolean, .choice, .address, .strings: alternatives.append(["$ref": "#/$defs/interpolated"])
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
