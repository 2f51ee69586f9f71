import Synchronization

/// A named family of series, one per combination of label values: a counter or a histogram.
///
/// ```swift
/// let received = registry.counter("received_tasks", help: "Number of received tasks", labels: ["task_name"])
/// received.labels("examples.add").increment()
/// ```
/// Looking a series up takes one short lock; callers on a hot path keep the series they got.
public final class MetricFamily<Series: Sendable & AnyObject>: Sendable {
    /// The family's name.
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// The type.
    public let type: MetricType
    /// The label names every series has, in order.
    public let labelNames: [String]
    private let make: @Sendable () -> Series
    private let read: @Sendable (Series, [MetricLabel]) -> [MetricSample]
    private let series = Mutex<(order: [[String]], byValues: [[String]: Series])>(([], [:]))

    init(
        name: String, help: String, type: MetricType, labelNames: [String], make: @escaping @Sendable () -> Series,
        read: @escaping @Sendable (Series, [MetricLabel]) -> [MetricSample]
    ) {
        self.name = name
        self.help = help
        self.type = type
        self.labelNames = labelNames
        self.make = make
        self.read = read
    }

    /// The series for these label values (created at first use), one value per label name;
    /// missing values read as empty, extra ones are dropped.
    public func labels(_ values: String...) -> Series { labels(values) }

    /// The series for these label values (created at first use).
    public func labels(_ values: [String]) -> Series {
        var key = Array(values.prefix(labelNames.count))
        while key.count < labelNames.count { key.append("") }
        return series.withLock { state in
            if let existing = state.byValues[key] { return existing }
            let created = make()
            state.byValues[key] = created
            state.order.append(key)
            return created
        }
    }

    /// The family's series now, in the order they were created.
    public var snapshot: MetricFamilySnapshot {
        let current = series.withLock { state in state.order.compactMap { key in state.byValues[key].map { (key, $0) } } }
        var samples: [MetricSample] = []
        for (values, entry) in current {
            samples += read(entry, zip(labelNames, values).map { MetricLabel($0, $1) })
        }
        return MetricFamilySnapshot(name: name, help: help, type: type, samples: samples)
    }
}

extension MetricFamily where Series == MetricCounter {
    /// A counter family: each series is written as `<name>_total`.
    convenience init(counter name: String, help: String, labelNames: [String]) {
        self.init(name: name, help: help, type: .counter, labelNames: labelNames, make: { MetricCounter() }) { counter, labels in
            [MetricSample(suffix: "_total", labels: labels, value: Double(counter.value))]
        }
    }
}

extension MetricFamily where Series == MetricHistogram {
    /// A histogram family: each series is written as `_bucket` lines (label `le`), `_sum` and `_count`.
    convenience init(histogram name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.init(
            name: name, help: help, type: .histogram, labelNames: labelNames,
            make: { MetricHistogram(upperBounds: buckets) }
        ) { histogram, labels in
            let reading = histogram.reading
            var samples: [MetricSample] = []
            for (index, count) in reading.buckets.enumerated() {
                let bound = index < histogram.upperBounds.count ? histogram.upperBounds[index] : .infinity
                samples.append(
                    MetricSample(
                        suffix: "_bucket", labels: labels + [MetricLabel("le", PrometheusTextEncoder.number(bound))],
                        value: Double(count)))
            }
            samples.append(MetricSample(suffix: "_count", labels: labels, value: Double(reading.count)))
            samples.append(MetricSample(suffix: "_sum", labels: labels, value: reading.sum))
            return samples
        }
    }
}
