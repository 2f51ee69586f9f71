import Synchronization

/// The metrics of a process: families registered once, plus collectors that read figures kept
/// elsewhere (a receiver's counters, `/proc/self`) only when scraped.
///
/// ``shared`` is the process-wide registry that brokers report reconnects to and that the
/// metrics endpoint of `taskiq-run` serves.
public final class MetricsRegistry: Sendable {
    /// The process-wide registry.
    public static let shared = MetricsRegistry()

    private struct State {
        var sources: [@Sendable () -> [MetricFamilySnapshot]] = []
        var families: [String: any Sendable] = [:]
    }
    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// The counter family `name`, registered at first call; later calls return the same family.
    /// - Parameters:
    ///   - name: The name without `_total`, such as `received_tasks`.
    ///   - help: The `# HELP` text.
    ///   - labels: The label names.
    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricFamily<MetricCounter> {
        family(name) { MetricFamily(counter: name, help: help, labelNames: labels) }
    }

    /// The histogram family `name`, registered at first call; later calls return the same family.
    /// - Parameters:
    ///   - name: The name, such as `execution_time`.
    ///   - help: The `# HELP` text.
    ///   - labels: The label names (not `le`).
    ///   - buckets: The buckets' upper bounds.
    public func histogram(
        _ name: String, help: String, labels: [String] = [],
        buckets: [Double] = MetricHistogram.defaultBuckets
    ) -> MetricFamily<MetricHistogram> {
        family(name) { MetricFamily(histogram: name, help: help, labelNames: labels, buckets: buckets) }
    }

    /// Adds a collector, called at every scrape for families whose values live elsewhere.
    public func addCollector(_ collector: @escaping @Sendable () -> [MetricFamilySnapshot]) {
        state.withLock { $0.sources.append(collector) }
    }

    /// Every family now: registered ones and collected ones, in the order added.
    public func collect() -> [MetricFamilySnapshot] {
        let sources = state.withLock { $0.sources }
        return sources.flatMap { $0() }
    }

    /// ``collect()`` in the Prometheus text format.
    public func exposition() -> String { PrometheusTextEncoder.encode(collect()) }

    private func family<Series>(_ name: String, create: () -> MetricFamily<Series>) -> MetricFamily<Series> {
        state.withLock { state in
            if let existing = state.families[name] as? MetricFamily<Series> { return existing }
            let created = create()
            state.families[name] = created
            state.sources.append { [created] in [created.snapshot] }
            return created
        }
    }
}
