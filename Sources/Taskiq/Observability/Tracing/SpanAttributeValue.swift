/// The value of a span or resource attribute, one of OTLP's `AnyValue` scalars.
public enum SpanAttributeValue: Sendable, Hashable {
    /// A string (`stringValue`).
    case string(String)
    /// A 64-bit integer (`intValue`, a decimal string in OTLP/JSON).
    case int(Int)
    /// A double (`doubleValue`).
    case double(Double)
    /// A boolean (`boolValue`).
    case bool(Bool)

    /// The attribute for a label value: scalars keep their type, anything else becomes its Python `str()`,
    /// as OpenTelemetry's Python SDK would record it.
    public init(label value: JSONValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .bool(let b): self = .bool(b)
        case .double(let d): self = d.isFinite ? .double(d) : .string(value.pythonRepr)
        case .bigInteger, .null, .array, .object: self = .string(value.pythonRepr)
        }
    }
}
