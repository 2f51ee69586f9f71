/// One timed operation of a trace, as OTLP records it: finished spans go to a ``SpanExporter``.
public struct Span: Sendable, Hashable {
    /// The span's own trace and span IDs (and what it passes on).
    public var context: SpanContext
    /// The parent span in the same trace; `nil` for a root span.
    public var parentSpanID: SpanID?
    /// The operation, such as `execute/my_module:add`.
    public var name: String
    /// The span's role.
    public var kind: SpanKind
    /// Start, in nanoseconds since the Unix epoch.
    public var startTimeUnixNano: UInt64
    /// End, in nanoseconds since the Unix epoch; 0 until the span ends.
    public var endTimeUnixNano: UInt64
    /// Attributes in the order they were set; setting a key again replaces its value in place.
    public private(set) var attributes: [SpanAttribute]
    /// How the span ended.
    public var status: SpanStatus
    /// What happened during the span.
    public var events: [SpanEvent]

    /// The most attributes a span keeps (OpenTelemetry's default limit); later keys are dropped.
    public static let attributeLimit = 128

    /// Starts a span now.
    /// - Parameters:
    ///   - name: The operation.
    ///   - kind: The span's role.
    ///   - parent: The parent's context: the span joins its trace (and its `tracestate` and
    ///     `baggage`) with a fresh span ID; `nil` starts a new trace.
    ///   - startTimeUnixNano: The start; now when omitted.
    public init(name: String, kind: SpanKind, parent: SpanContext?, startTimeUnixNano: UInt64 = Span.nowUnixNano()) {
        if let parent {
            context = SpanContext(
                traceID: parent.traceID, spanID: .random(), isSampled: parent.isSampled,
                traceState: parent.traceState, baggage: parent.baggage)
        } else {
            context = SpanContext(traceID: .random(), spanID: .random())
        }
        parentSpanID = parent?.spanID
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        endTimeUnixNano = 0
        attributes = []
        status = .unset
        events = []
    }

    /// Sets an attribute, replacing an earlier value of the same key.
    public mutating func setAttribute(_ key: String, _ value: SpanAttributeValue) {
        if let index = attributes.firstIndex(where: { $0.key == key }) {
            attributes[index].value = value
        } else if attributes.count < Self.attributeLimit {
            attributes.append(SpanAttribute(key, value))
        }
    }

    /// Ends the span now (or at `time`); a span ends once.
    public mutating func end(at time: UInt64 = Span.nowUnixNano()) {
        if endTimeUnixNano == 0 { endTimeUnixNano = max(time, startTimeUnixNano) }
    }

    /// The wall clock in nanoseconds since the Unix epoch.
    public static func nowUnixNano() -> UInt64 {
        let (seconds, nanoseconds) = WallClock.now()
        return UInt64(max(seconds, 0)) &* 1_000_000_000 &+ UInt64(max(nanoseconds, 0))
    }
}
