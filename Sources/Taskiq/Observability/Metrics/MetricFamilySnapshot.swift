/// A metric family as read at one scrape: what ``PrometheusTextEncoder`` writes.
public struct MetricFamilySnapshot: Sendable, Hashable {
    /// The family's name, such as `received_tasks` (counters gain `_total` per sample).
    public var name: String
    /// The `# HELP` text.
    public var help: String
    /// The `# TYPE`.
    public var type: MetricType
    /// The series, in the order written.
    public var samples: [MetricSample]

    /// Creates a snapshot.
    public init(name: String, help: String, type: MetricType, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }
}
