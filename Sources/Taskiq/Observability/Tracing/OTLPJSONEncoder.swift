/// Encodes finished spans as an OTLP/HTTP JSON `ExportTraceServiceRequest` body.
///
/// The layout follows the OTLP protobuf's JSON mapping: `resourceSpans` → `scopeSpans` → `spans`;
/// trace and span IDs as lower-case hex strings (OTLP/JSON's exception to base64); 64-bit
/// timestamps and `intValue`s as decimal strings; `kind` and `status.code` as enum numbers;
/// attributes as `{"key": ..., "value": {"stringValue" | "intValue" | "doubleValue" | "boolValue": ...}}`.
/// The resource carries `service.name`.
public struct OTLPJSONEncoder: Sendable {
    /// The resource's `service.name`.
    public var serviceName: String
    /// The instrumentation scope's name (taskiq's middleware module, as the Python middleware reports it).
    public var scopeName: String
    /// The instrumentation scope's version.
    public var scopeVersion: String

    /// Creates an encoder.
    /// - Parameters:
    ///   - serviceName: The resource's `service.name`.
    ///   - scopeName: The instrumentation scope's name.
    ///   - scopeVersion: The instrumentation scope's version.
    public init(
        serviceName: String, scopeName: String = "taskiq.middlewares.opentelemetry_middleware",
        scopeVersion: String = "0.13.0"
    ) {
        self.serviceName = serviceName
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
    }

    /// The request body for `spans`, compact UTF-8 JSON.
    public func encode(_ spans: [Span]) -> [UInt8] {
        let resource: JSONValue = .object(["attributes": .array([Self.attribute(SpanAttribute("service.name", .string(serviceName)))])])
        let scope: JSONValue = .object(["name": .string(scopeName), "version": .string(scopeVersion)])
        let scopeSpans: JSONValue = .object(["scope": scope, "spans": .array(spans.map(Self.span))])
        let request: JSONValue = .object(["resourceSpans": .array([.object(["resource": resource, "scopeSpans": .array([scopeSpans])])])])
        return JSONWriter(style: .compact).serialize(request)
    }

    static func span(_ span: Span) -> JSONValue {
        var object: JSONObject = ["traceId": .string(span.context.traceID.hex), "spanId": .string(span.context.spanID.hex)]
        if let state = span.context.traceState, !state.isEmpty { object["traceState"] = .string(state) }
        if let parent = span.parentSpanID { object["parentSpanId"] = .string(parent.hex) }
        object["name"] = .string(span.name)
        object["kind"] = .int(span.kind.rawValue)
        object["startTimeUnixNano"] = .string(String(span.startTimeUnixNano))
        object["endTimeUnixNano"] = .string(String(span.endTimeUnixNano))
        object["attributes"] = .array(span.attributes.map(attribute))
        if !span.events.isEmpty {
            object["events"] = .array(
                span.events.map { event in
                    .object([
                        "timeUnixNano": .string(String(event.timeUnixNano)), "name": .string(event.name),
                        "attributes": .array(event.attributes.map(attribute)),
                    ])
                })
        }
        var status = JSONObject()
        if span.status.code != .unset { status["code"] = .int(span.status.code.rawValue) }
        if !span.status.message.isEmpty { status["message"] = .string(span.status.message) }
        object["status"] = .object(status)
        return .object(object)
    }

    static func attribute(_ attribute: SpanAttribute) -> JSONValue {
        let value: JSONValue =
            switch attribute.value {
            case .string(let s): .object(["stringValue": .string(s)])
            case .int(let i): .object(["intValue": .string(String(i))])
            case .double(let d): d.isFinite ? .object(["doubleValue": .double(d)]) : .object(["stringValue": .string(String(d))])
            case .bool(let b): .object(["boolValue": .bool(b)])
            }
        return .object(["key": .string(attribute.key), "value": value])
    }
}
