/// One line of the Prometheus text format: a series of a family, with its labels and value.
public struct MetricSample: Sendable, Hashable {
    /// Appended to the family's name: `_total`, `_bucket`, `_sum`, `_count`, or empty.
    public var suffix: String
    /// The label names and values, in the order written.
    public var labels: [MetricLabel]
    /// The value.
    public var value: Double

    /// Creates a sample.
    public init(suffix: String = "", labels: [MetricLabel] = [], value: Double) {
        self.suffix = suffix
        self.labels = labels
        self.value = value
    }
}

/// A label of a sample: `task_name="examples.add"`.
public struct MetricLabel: Sendable, Hashable {
    /// The label's name, such as `task_name`.
    public var name: String
    /// The value; any text, escaped when encoded.
    public var value: String

    /// Creates a label.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
