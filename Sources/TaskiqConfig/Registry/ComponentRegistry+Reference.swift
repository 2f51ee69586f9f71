import Taskiq

extension ComponentRegistry {
    /// Where the package keeps the standard registry's reference, relative to the package root.
    static let referencePath = "Sources/TaskiqConfig/TaskiqConfig.docc/ConfigurationReference.md"

    /// The command, run from the package root, that rewrites ``referencePath``.
    static let referenceCommand = "swift run taskiq-run schema --format markdown > \(referencePath)"

    /// The configuration reference: a DocC article listing every key a configuration file takes.
    ///
    /// It reads the declarations ``jsonSchema()`` reads, in the same order: the top-level keys and
    /// the sections that are not components (`tasks`, `worker`, `schedules`, …), then each
    /// component kind with every registered type and, for each option, its key, type, default,
    /// allowed values and one-line description. `taskiq-run schema --format markdown` prints it;
    /// the package checks in the standard registry's as the `ConfigurationReference` article.
    /// - Returns: Markdown that DocC and GitHub both render, ending with a newline.
    public func configurationReference() -> String {
        let schema = jsonSchema().objectValue ?? [:]
        let definitions = schema["$defs"]?.objectValue ?? [:]
        let topLevel = schema["properties"]?.objectValue ?? [:]
        var out = """
            # Configuration reference

            Every key of a configuration file: its type, default, allowed values and meaning, generated \
            from the component registry by `taskiq-run schema --format markdown`.

            ## Overview

            This article is generated from the same option declarations that validate a file and that \
            `taskiq-run schema` prints as a JSON Schema; do not edit it by hand. After changing an option, \
            regenerate it from the package root with `\(Self.referenceCommand)`.

            A default of *none* means the key has no value unless the file gives one; *required* means \
            the file must give it. Numbers, booleans, choices, addresses and lists of strings may also be \
            written as `${VAR}` or `${VAR:-default}` strings, resolved from the environment. A key not \
            listed is an error.

            ### Top-level keys


            """
        let topRows = topLevel.map { key, fragment in
            let object = fragment.objectValue ?? [:]
            let description =
                object["description"]?.stringValue
                ?? Self.kind(referencedBy: object).map { "A \($0.noun): one of the types under \($0.referenceTitle)." }
                ?? ""
            return [
                Markdown.code(key), Markdown.text(Self.typeName(of: object), inTable: true),
                Markdown.text(description, inTable: true),
            ]
        }
        out += Markdown.table(["Key", "Type", "Description"], topRows)
        for (key, fragment) in topLevel {
            guard let object = fragment.objectValue, let found = Self.section(of: object, definitions) else { continue }
            let (section, entry) = found
            out += "\n### `\(key)`\n\n"
            var about = object["description"]?.stringValue ?? ""
            if let entry, let summary = entry["description"]?.stringValue { about += " Each entry: " + summary }
            if !about.isEmpty { out += Markdown.text(about) + "\n\n" }
            out += Self.table(path: key, section, definitions)
            for (name, nested) in section["properties"]?.objectValue ?? [:] {
                guard let nested = nested.objectValue, nested["properties"] != nil else { continue }
                out += "\n#### `\(key).\(name)`\n\n"
                if let about = nested["description"]?.stringValue { out += Markdown.text(about) + "\n\n" }
                out += Self.table(path: "\(key).\(name)", nested, definitions)
            }
        }
        for kind in ComponentKind.allCases {
            out += "\n### \(kind.referenceTitle)\n\n\(Markdown.text(kind.placement))\n"
            let types = types(of: kind)
            if types.isEmpty { out += "\nNone are registered.\n" }
            for type in types {
                out += "\n#### `\(type.name)`\n\n"
                if !type.summary.isEmpty { out += Markdown.text(type.summary) + "\n\n" }
                if type.isProcessLocal {
                    let shared = kind == .broker || kind == .resultBackend ? ", so `worker.workers` must be 1" : ""
                    out += "Works inside one process only\(shared).\n\n"
                }
                var options = type.options
                if kind == .deadLetterQueue { options.append(DeadLetterSettings.failedTasksOption) }
                out += options.isEmpty ? "It takes no options besides `type`.\n" : Self.table(options)
            }
        }
        return out
    }

    // MARK: Declared options

    /// Sections whose keys are declared as ``ComponentOption``s, which say more than their schema
    /// does (an address's form), by path.
    private static var declaredSections: [String: [ComponentOption]] {
        [
            "worker": WorkerSettings.options, "worker.limits": WorkerSettings.limitOptions,
            "scheduler": SchedulerSettings.options, "metrics": MetricsSettings.options,
        ]
    }

    private static let header = ["Key", "Type", "Default", "Allowed", "Description"]

    private static func table(_ options: [ComponentOption]) -> String {
        Markdown.table(header, options.flatMap { rows(of: $0) })
    }

    /// An option's row, then a row per field of a list of objects (`queues[].name`).
    private static func rows(of option: ComponentOption, prefix: String = "") -> [[String]] {
        let key = prefix + option.name
        let defaultCell =
            option.isRequired ? "*required*" : option.defaultValue.isNull ? "*none*" : Markdown.code(literal(option.defaultValue))
        var type: String
        var allowed = option.range.map(rangeText) ?? ""
        switch option.type {
        case .integer: type = "integer"
        case .number: type = "number"
        case .boolean: type = "boolean"
        case .string: type = "string"
        case .choice(let values):
            type = "string"
            allowed = values.map { Markdown.code($0) }.joined(separator: ", ")
        case .address(let format):
            type = "address"
            allowed = Markdown.code(format.example)
        case .objects: type = "list of objects"
        case .strings: type = "list of strings"
        }
        let row = [Markdown.code(key), type, defaultCell, allowed, Markdown.text(option.description, inTable: true)]
        guard case .objects(let fields) = option.type else { return [row] }
        return [row] + fields.flatMap { rows(of: $0, prefix: key + "[].") }
    }

    /// `1 to 1000`, `at least 0`; bounds beyond `Int.max / 2` are no bound, as in the schema.
    private static func rangeText(_ range: ClosedRange<Double>) -> String {
        let limit = Double(Int.max / 2)
        switch (range.lowerBound > -limit, range.upperBound < limit) {
        case (true, true): return "\(number(range.lowerBound)) to \(number(range.upperBound))"
        case (true, false): return "at least \(number(range.lowerBound))"
        case (false, true): return "at most \(number(range.upperBound))"
        case (false, false): return ""
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A value as the file would write it, with `5` rather than `5.0`.
    private static func literal(_ value: JSONValue) -> String {
        if case .double(let double) = value, double == double.rounded(), abs(double) < 1e15 { return String(Int(double)) }
        return value.description
    }

    // MARK: Schema-only sections

    /// A top-level key's object of keys, and for a list the schema of its entries; `nil` for a
    /// component (described under its kind) or a key without keys of its own.
    private static func section(of fragment: JSONObject, _ definitions: JSONObject) -> (JSONObject, entry: JSONObject?)? {
        if fragment["properties"] != nil { return (fragment, nil) }
        guard let items = fragment["items"]?.objectValue, let name = definitionName(items),
            ComponentKind(rawValue: name) == nil, let entry = definitions[name]?.objectValue, entry["properties"] != nil
        else { return nil }
        return (entry, entry)
    }

    /// The rows of a section: declared options where the path has them, else each key's schema.
    private static func table(path: String, _ section: JSONObject, _ definitions: JSONObject) -> String {
        let declared = declaredSections[path] ?? []
        let required = Set(section["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let body = (section["properties"]?.objectValue ?? [:]).flatMap { name, fragment -> [[String]] in
            if let option = declared.first(where: { $0.name == name }) { return rows(of: option) }
            let object = fragment.objectValue ?? [:]
            let defaultCell =
                required.contains(name)
                ? "*required*"
                : object["default"].map { Markdown.code(literal($0)) } ?? "*none*"
            let description =
                object["description"]?.stringValue
                ?? kind(referencedBy: object).map { "A \($0.noun): one of the types under \($0.referenceTitle)." } ?? ""
            return [
                [
                    Markdown.code(name), Markdown.text(typeName(of: object), inTable: true), defaultCell,
                    allowed(by: object), Markdown.text(description, inTable: true),
                ]
            ]
        }
        return Markdown.table(header, body)
    }

    /// The type a schema fragment takes, in words: `string or list of strings`, `broker object`.
    private static func typeName(of fragment: JSONObject) -> String {
        if let name = definitionName(fragment) {
            if let kind = ComponentKind(rawValue: name) { return "\(kind.noun) object" }
            return name == "named_broker" ? "broker object" : "object"
        }
        if let alternatives = (fragment["oneOf"] ?? fragment["anyOf"])?.arrayValue?.compactMap(\.objectValue) {
            var names: [String] = []
            for alternative in alternatives where !isInterpolatedOrNull(alternative) {
                let name = typeName(of: alternative)
                if !names.contains(name) { names.append(name) }
            }
            return names.joined(separator: " or ")
        }
        if fragment["enum"] != nil { return "string" }
        switch fragment["type"]?.stringValue {
        case "array": return "list of " + plural(typeName(of: fragment["items"]?.objectValue ?? [:]))
        case "object":
            guard let values = fragment["additionalProperties"]?.objectValue else { return "object" }
            return "object of " + plural(typeName(of: values))
        case "string" where fragment["format"] == "date-time": return "date-time string"
        case let type?: return type
        case nil: return "JSON value"
        }
    }

    /// The enum values and numeric bounds a fragment or its alternatives allow.
    private static func allowed(by fragment: JSONObject) -> String {
        var parts: [String] = []
        if let values = fragment["enum"]?.arrayValue {
            parts.append(values.map { Markdown.code($0.stringValue ?? $0.description) }.joined(separator: ", "))
        }
        if let minimum = fragment["minimum"]?.doubleValue {
            parts.append(rangeText(minimum...(fragment["maximum"]?.doubleValue ?? .greatestFiniteMagnitude)))
        }
        for alternative in (fragment["oneOf"] ?? fragment["anyOf"])?.arrayValue?.compactMap(\.objectValue) ?? [] {
            let text = allowed(by: alternative)
            if !text.isEmpty { parts.append(text) }
        }
        return parts.joined(separator: "; ")
    }

    private static func plural(_ name: String) -> String {
        name.contains(" or ") || name.hasSuffix("s") ? name : name + "s"
    }

    private static func isInterpolatedOrNull(_ fragment: JSONObject) -> Bool {
        definitionName(fragment) == "interpolated" || fragment["type"] == "null"
    }

    /// `broker` for `{"$ref": "#/$defs/broker"}`.
    private static func definitionName(_ fragment: JSONObject) -> String? {
        guard let reference = fragment["$ref"]?.stringValue, reference.hasPrefix("#/$defs/") else { return nil }
        return String(reference.dropFirst("#/$defs/".count))
    }

    /// The component kind a fragment names, directly or as one of its alternatives.
    private static func kind(referencedBy fragment: JSONObject) -> ComponentKind? {
        if let name = definitionName(fragment), let kind = ComponentKind(rawValue: name) { return kind }
        let alternatives = (fragment["oneOf"] ?? fragment["anyOf"])?.arrayValue?.compactMap(\.objectValue) ?? []
        return alternatives.lazy.compactMap { kind(referencedBy: $0) }.first
    }
}

extension ComponentKind {
    /// The kind's heading in the configuration reference, such as `Result backends`.
    var referenceTitle: String {
        let plural = noun + "s"
        return plural.prefix(1).uppercased() + plural.dropFirst()
    }

    /// Where a configuration file names a component of this kind, for the reference.
    fileprivate var placement: String {
        switch self {
        case .broker:
            "The `broker` section, and each value of `brokers`, where a broker may also name its own `result_backend`."
        case .resultBackend:
            "The `result_backend` section, or a named broker's own `result_backend`."
        case .middleware:
            "Each entry of the `middlewares` list, in the order their hooks run."
        case .taskIDGenerator:
            "The `task_id_generator` section; a type without required options may be written as its name alone, such as `\"task_id_generator\": \"uuid7\"`."
        case .schedulerLease:
            "`scheduler.lease`: which scheduler process may send; the local lease (one scheduler) when absent."
        case .schedulerStateStore:
            "`scheduler.state_store`: where the last slot sent of each schedule is recorded; in memory when absent."
        case .deadLetterQueue:
            "The `dead_letters` section; every type also takes `failed_tasks`."
        }
    }
}
