/// The kind of a metric family, as the Prometheus text format's `# TYPE` line names it.
public enum MetricType: String, Sendable, Hashable {
    /// A value that only goes up (and resets when the process restarts).
    case counter
    /// A value that goes up and down.
    case gauge
    /// Observations counted into cumulative buckets, with their sum and count.
    case histogram
}
