import Taskiq

/// Replaces `${VAR}` and `${VAR:-default}` in strings with environment variables.
///
/// `$${` writes a literal `${`. A variable that is unset, or set but empty, takes the default;
/// without a default, an unset variable is an error naming the path of the string.
struct EnvironmentInterpolation: Sendable {
    let environment: [String: String]

    /// Interpolates every string in a value, including nested ones.
    func apply(to value: JSONValue, path: JSONPath, file: String) throws(ConfigError) -> JSONValue {
        switch value {
        case .string(let string):
            return .string(try interpolate(string, path: path, file: file))
        case .array(let elements):
            var result: [JSONValue] = []
            result.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                result.append(try apply(to: element, path: path.index(index), file: file))
            }
            return .array(result)
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object {
                result[key] = try apply(to: member, path: path.key(key), file: file)
            }
            return .object(result)
        default:
            return value
        }
    }

    /// Interpolates one string.
    func interpolate(_ string: String, path: JSONPath, file: String) throws(ConfigError) -> String {
        guard string.contains("$") else { return string }
        var output = ""
        var rest = Substring(string)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.hasPrefix("${") {
                output += "${"
                rest = afterDollar.dropFirst(2)
                continue
            }
            guard afterDollar.hasPrefix("{") else {
                output += "$"
                rest = afterDollar
                continue
            }
            let body = afterDollar.dropFirst()
            guard let close = body.firstIndex(of: "}") else {
                throw ConfigError(
                    .invalidInterpolation, file: file, path: path.text,
                    "found an unterminated '${' in \(String(reflecting: string)); expected ${VAR} or ${VAR:-default}")
            }
            let reference = body[..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = reference.firstRange(of: ":-") {
                name = reference[..<separator.lowerBound]
                fallback = reference[separator.upperBound...]
            } else {
                name = reference
                fallback = nil
            }
            guard Self.isVariableName(name) else {
                throw ConfigError(
                    .invalidInterpolation, file: file, path: path.text,
                    "found '${\(reference)}'; expected ${VAR} or ${VAR:-default} with VAR made of letters, digits and '_'")
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw ConfigError(
                    .missingEnvironmentVariable, file: file, path: path.text,
                    "environment variable '\(name)' is not set and '${\(name)}' has no default; set it or write ${\(name):-default}")
            }
            rest = body[body.index(after: close)...]
        }
        output += rest
        return output
    }

    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
