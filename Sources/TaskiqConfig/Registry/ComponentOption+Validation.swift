import Taskiq

extension ComponentOption {
    /// Checks a value from the file and converts it to the option's type (strings that parse
    /// become numbers or booleans).
    func coerce(_ value: JSONValue, path: JSONPath, file: String) throws(ConfigError) -> JSONValue {
        func wrongType() -> ConfigError {
            ConfigError(.wrongType, file: file, path: path.text, "expected \(expectation), found \(value.described)")
        }
        if value.isNull {
            guard defaultValue.isNull && !isRequired else { throw wrongType() }
            return .null
        }
        let trimmed = value.stringValue?.trimmingCharacters(in: " \t\n\r")
        switch type {
        case .integer:
            let number: Int? =
                switch value {
                case .int(let int): int
                case .double(let double): Int(exactly: double)
                case .string: trimmed.flatMap { Int($0) }
                default: nil
                }
            guard let number else { throw wrongType() }
            try check(Double(number), value: value, path: path, file: file)
            return .int(number)
        case .number:
            let number: Double? =
                switch value {
                case .int(let int): Double(int)
                case .double(let double): double
                case .string: trimmed.flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil }
                default: nil
                }
            guard let number else { throw wrongType() }
            try check(number, value: value, path: path, file: file)
            return .double(number)
        case .boolean:
            switch value {
            case .bool: return value
            case .string where trimmed?.lowercased() == "true": return .bool(true)
            case .string where trimmed?.lowercased() == "false": return .bool(false)
            default: throw wrongType()
            }
        case .string:
            guard case .string = value else { throw wrongType() }
            return value
        case .address(let format):
            guard case .string(let text) = value else { throw wrongType() }
            if let problem = format.problem(with: text) {
                let message = problem.contains("expected") ? problem : "\(problem); expected \(expectation)"
                throw ConfigError(.invalidAddress, file: file, path: path.text, message)
            }
            return value
        case .choice(let values):
            guard let text = trimmed?.lowercased() else { throw wrongType() }
            guard values.contains(text) else {
                var message = "expected \(expectation), found \(value.described)"
                if let match = closestMatch(to: text, in: values) { message += "; did you mean '\(match)'?" }
                throw ConfigError(.outOfRange, file: file, path: path.text, message)
            }
            return .string(text)
        case .objects(let fields):
            guard case .array(let items) = value else { throw wrongType() }
            var checked: [JSONValue] = []
            for (position, item) in items.enumerated() {
                let itemPath = path.index(position)
                guard case .object(let members) = item else {
                    throw ConfigError(
                        .wrongType, file: file, path: itemPath.text,
                        "expected an object with keys \(fields.map(\.name).joined(separator: ", ")), found \(item.described)")
                }
                checked.append(.object(try Self.object(members, fields: fields, path: itemPath, file: file)))
            }
            return .array(checked)
        case .strings:
            switch value {
            case .array(let items):
                for (position, item) in items.enumerated() where item.stringValue == nil {
                    throw ConfigError(
                        .wrongType, file: file, path: path.index(position).text,
                        "expected a string, found \(item.described)")
                }
                return value
            case .string:
                let parts = (trimmed ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: " \t\n\r") }
                return .array(parts.filter { !$0.isEmpty }.map(JSONValue.string))
            default:
                throw wrongType()
            }
        }
    }

    /// Checks one object of an ``ValueType/objects(_:)`` list: no unknown keys, required keys
    /// present, every value coerced, defaults filled in.
    static func object(
        _ members: JSONObject, fields: [ComponentOption], path: JSONPath,
        file: String
    ) throws(ConfigError) -> JSONObject {
        let names = fields.map(\.name)
        for key in members.keys where !names.contains(key) {
            var message = "unknown key '\(key)'"
            if let match = closestMatch(to: key, in: names) { message += "; did you mean '\(match)'?" }
            message += "; expected one of: \(names.joined(separator: ", "))"
            throw ConfigError(.unknownKey, file: file, path: path.key(key).text, message)
        }
        var values = JSONObject()
        for field in fields {
            let fieldPath = path.key(field.name)
            if let value = members[field.name] {
                values[field.name] = try field.coerce(value, path: fieldPath, file: file)
            } else if field.isRequired {
                throw ConfigError(.missingKey, file: file, path: fieldPath.text, "missing; expected \(field.expectation)")
            } else {
                values[field.name] = field.defaultValue
            }
        }
        return values
    }

    private func check(_ number: Double, value: JSONValue, path: JSONPath, file: String) throws(ConfigError) {
        guard let range, !range.contains(number) else { return }
        throw ConfigError(.outOfRange, file: file, path: path.text, "expected \(expectation), found \(value.described)")
    }
}

extension String {
    /// The string without leading and trailing characters from a set of ASCII characters.
    func trimmingCharacters(in set: String) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }),
            let last = lastIndex(where: { !set.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}

extension JSONValue {
    /// The value as error messages show what was found: `string "abc"`, `integer -1`, `an object`.
    var described: String {
        switch self {
        case .null: return "null"
        case .bool(let bool): return "boolean \(bool)"
        case .int(let int): return "integer \(int)"
        case .bigInteger(let big): return "integer \(big)"
        case .double(let double): return "number \(double)"
        case .string(let string):
            let shown = string.count > 60 ? String(string.prefix(57)) + "..." : string
            return "string \(String(reflecting: shown))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
