/// taskiq's label type codes (`labels_types` on the wire).
///
/// Producers turn every label into a string and record its type code; receivers convert the
/// string back. Labels sent without a code are taken as the JSON value they are.
public enum LabelType: Int, Sendable, CaseIterable {
    /// Anything else: Python's `str(value)`, left as a string on receipt.
    case any = 1
    /// An integer.
    case int = 2
    /// A string.
    case str = 3
    /// A float, written as Python's `repr`.
    case float = 4
    /// A boolean, written `True` or `False`.
    case bool = 5
    /// Bytes, written as base64; kept as the base64 string on receipt.
    case bytes = 6

    /// The wire form of a label value: its string and type code.
    static func encode(_ value: JSONValue) -> (String, LabelType) {
        switch value {
        case .string(let s): (s, .str)
        case .int(let i): (String(i), .int)
        case .bigInteger(let big): (big.description, .int)
        case .double(let d): (Self.pythonFloatString(d), .float)
        case .bool(let b): (b ? "True" : "False", .bool)
        case .null, .array, .object: (value.pythonRepr, .any)
        }
    }

    /// Converts a received label value back according to this type code, as taskiq's `parse_labels` does.
    func decode(_ value: JSONValue) throws(LabelDecodingError) -> JSONValue {
        switch self {
        case .any, .bytes:
            return value
        case .str:
            switch value {
            case .string: return value
            case .int(let i): return .string(String(i))
            case .bigInteger(let big): return .string(big.description)
            case .double(let d): return .string(Self.pythonFloatString(d))
            case .bool(let b): return .string(b ? "True" : "False")
            default: return .string(value.pythonRepr)
            }
        case .int:
            switch value {
            case .int, .bigInteger: return value
            case .double(let d): if let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                // Python's int(str) takes any number of digits.
                if let i = JSONValue(integerDigits: s.trimmingASCIIWhitespace()) { return i }
            default: break
            }
            throw LabelDecodingError(expected: "an integer", found: value)
        case .float:
            switch value {
            case .double: return value
            case .int(let i): return .double(Double(i))
            case .string(let s):
                if let d = Self.parsePythonFloat(s.trimmingASCIIWhitespace()) { return .double(d) }
            default: break
            }
            throw LabelDecodingError(expected: "a float", found: value)
        case .bool:
            switch value {
            case .bool: return value
            case .string(let s): return .bool(s.lowercased() == "true")
            default: return .bool(false)
            }
        }
    }

    /// Python's `str(float)`: `2.5`, `1e-05`, `inf`, `nan`.
    static func pythonFloatString(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var bytes: [UInt8] = []
        NumberFormatting.appendPythonFloat(d, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func parsePythonFloat(_ s: String) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: return Double(s)
        }
    }
}

/// A label value that does not match its declared type code.
struct LabelDecodingError: Error {
    var expected: String
    var found: JSONValue
}
