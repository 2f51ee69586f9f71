/// What a span passes to its children and, through labels, to other processes: the W3C
/// `traceparent` fields plus the opaque `tracestate` and `baggage` values, carried unchanged.
public struct SpanContext: Sendable, Hashable {
    /// The trace.
    public var traceID: TraceID
    /// The span.
    public var spanID: SpanID
    /// Whether the trace is sampled (recorded and exported).
    public var isSampled: Bool
    /// The vendor `tracestate` value received with the trace, if any.
    public var traceState: String?
    /// The W3C `baggage` value received with the trace, if any.
    public var baggage: String?

    /// Creates a context.
    /// - Parameters:
    ///   - traceID: The trace.
    ///   - spanID: The span.
    ///   - isSampled: Whether the trace is sampled.
    ///   - traceState: The `tracestate` value to pass on.
    ///   - baggage: The `baggage` value to pass on.
    public init(traceID: TraceID, spanID: SpanID, isSampled: Bool = true, traceState: String? = nil, baggage: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.isSampled = isSampled
        self.traceState = traceState
        self.baggage = baggage
    }

    /// The `traceparent` for this span.
    public var traceParent: TraceParent { TraceParent(traceID: traceID, spanID: spanID, sampled: isSampled) }
}
