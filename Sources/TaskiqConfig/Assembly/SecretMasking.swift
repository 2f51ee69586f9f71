import Taskiq

/// Hides secrets in a configuration before it is printed: values of keys named like a password,
/// secret or token, and every credential inside URLs (``URLCredentials``).
enum SecretMasking {
    static let mask = URLCredentials.mask
    private static let secretWords = ["password", "passwd", "secret", "token", "api_key", "apikey", "credential"]

    /// The value with secrets replaced by `***`.
    static func masked(_ value: JSONValue, key: String? = nil) -> JSONValue {
        if let key, isSecretKey(key), !value.isNull {
            if case .object = value {} else if case .array = value {} else { return .string(mask) }
        }
        switch value {
        case .string(let string): return .string(maskingURLPassword(string))
        case .array(let elements): return .array(elements.map { masked($0) })
        case .object(let object):
            var result = JSONObject()
            for (member, element) in object { result[member] = masked(element, key: member) }
            return .object(result)
        default: return value
        }
    }

    static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretWords.contains { lowered.contains($0) }
    }

    /// Every credential inside a URL masked (`redis://user:***@host`, `redis://***@host`,
    /// `?password=***`), with the same rules as the URL parsers; anything else is unchanged.
    static func maskingURLPassword(_ string: String) -> String {
        URLCredentials.redacted(string)
    }
}
