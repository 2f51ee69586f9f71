import Taskiq

extension RESPValue {
    /// The value's wire bytes, as a server would send them.
    ///
    /// Used by tests and fake servers; commands are encoded with ``RESPCommandEncoder``.
    package var encoded: [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// Appends the value's wire bytes.
    package func encode(into bytes: inout [UInt8]) {
        func line(_ type: Character, _ text: String) {
            bytes.append(UInt8(ascii: type.unicodeScalars.first!))
            bytes.append(contentsOf: text.utf8)
            bytes.append(contentsOf: [13, 10])
        }
        func blob(_ type: Character, _ payload: [UInt8]) {
            line(type, String(payload.count))
            bytes.append(contentsOf: payload)
            bytes.append(contentsOf: [13, 10])
        }
        switch self {
        case .simpleString(let text): line("+", text)
        case .simpleError(let text): line("-", text)
        case .integer(let value): line(":", String(value))
        case .bulkString(let payload): blob("$", payload)
        case .array(let values):
            line("*", String(values.count))
            for value in values { value.encode(into: &bytes) }
        case .null(.bulkString): line("$", "-1")
        case .null(.array): line("*", "-1")
        case .null(.resp3): line("_", "")
        case .boolean(let value): line("#", value ? "t" : "f")
        case .double(let value):
            line(",", value.isNaN ? "nan" : value.isInfinite ? (value < 0 ? "-inf" : "inf") : "\(value)")
        case .bigNumber(let digits): line("(", digits)
        case .bulkError(let text): blob("!", Array(text.utf8))
        case .verbatimString(let format, let text): blob("=", Array(format.utf8) + [UInt8(ascii: ":")] + text)
        case .map(let pairs):
            line("%", String(pairs.count))
            for pair in pairs {
                pair.key.encode(into: &bytes)
                pair.value.encode(into: &bytes)
            }
        case .set(let values):
            line("~", String(values.count))
            for value in values { value.encode(into: &bytes) }
        case .push(let values):
            line(">", String(values.count))
            for value in values { value.encode(into: &bytes) }
        case .attributed(let attributes, let value):
            line("|", String(attributes.count))
            for pair in attributes {
                pair.key.encode(into: &bytes)
                pair.value.encode(into: &bytes)
            }
            value.encode(into: &bytes)
        }
    }
}
