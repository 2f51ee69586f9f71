import Taskiq

/// Hides secrets in a configuration before it is printed: values of keys named like a password,
/// secret or token, and passwords inside URLs (`redis://user:***@host`).
enum SecretMasking {
    static let mask = "***"
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

    /// `scheme://user:password@host` becomes `scheme://user:***@host`; anything else is unchanged.
    static func maskingURLPassword(_ string: String) -> String {
        guard let scheme = string.range(of: "://") else { return string }
        let authorityStart = scheme.upperBound
        let authorityEnd = string[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? string.endIndex
        let authority = string[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return string }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return string }
        return String(string[..<string.index(after: colon)]) + mask + String(string[at...])
    }
}
