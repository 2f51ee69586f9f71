/// Adds up the families of several processes into one: what the supervisor serves for its
/// worker processes.
///
/// Samples with the same name, suffix and labels are summed (counters, gauges, histogram buckets,
/// sums and counts alike), except `process_start_time_seconds`, which keeps the earliest start,
/// and `taskiq_queue_depth`, which keeps the largest reading (the workers share the queue).
/// Families keep the order in which they were first seen.
package enum MetricsAggregation {
    /// The sum of `expositions`, one list of families per process.
    package static func sum(_ expositions: [[MetricFamilySnapshot]]) -> [MetricFamilySnapshot] {
        var order: [String] = []
        var families: [String: MetricFamilySnapshot] = [:]
        var indexes: [String: [SampleKey: Int]] = [:]
        for exposition in expositions {
            for family in exposition {
                var merged =
                    families[family.name] ?? MetricFamilySnapshot(name: family.name, help: family.help, type: family.type, samples: [])
                if families[family.name] == nil { order.append(family.name) }
                var index = indexes[family.name] ?? [:]
                let keepsMinimum = family.name == "process_start_time_seconds"
                // Every worker reads the same shared queue: its depth is not theirs to add up.
                let keepsMaximum = family.name == "taskiq_queue_depth"
                for sample in family.samples {
                    let key = SampleKey(suffix: sample.suffix, labels: sample.labels)
                    if let position = index[key], position < merged.samples.count {
                        let old = merged.samples[position].value
                        merged.samples[position].value =
                            keepsMinimum
                            ? min(old, sample.value)
                            : keepsMaximum ? max(old, sample.value) : old + sample.value
                    } else {
                        index[key] = merged.samples.count
                        merged.samples.append(sample)
                    }
                }
                families[family.name] = merged
                indexes[family.name] = index
            }
        }
        return order.compactMap { families[$0] }
    }

    private struct SampleKey: Hashable {
        var suffix: String
        var labels: [MetricLabel]
    }
}
