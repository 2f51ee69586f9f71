/// The series of a ``Receiver``, read from its counters at scrape time, so they add nothing to
/// the path of a task: in-flight and queued deliveries, dead letters, undecodable messages and
/// unknown task names.
public enum ReceiverMetrics {
    /// A collector for `registry` that reads `receiver` at every scrape.
    /// - Parameters:
    ///   - receiver: The worker's receiver.
    ///   - broker: The `broker` label: the broker's name in the configuration.
    public static func collector(_ receiver: Receiver, broker: String) -> @Sendable () -> [MetricFamilySnapshot] {
        { [receiver] in snapshot(receiver.statistics, load: receiver.load, broker: broker) }
    }

    /// The families for one reading of a receiver.
    static func snapshot(_ statistics: ReceiverStatistics, load: (running: Int, queued: Int), broker: String) -> [MetricFamilySnapshot] {
        let labels = [MetricLabel("broker", broker)]
        func gauge(_ name: String, _ help: String, _ value: Int) -> MetricFamilySnapshot {
            MetricFamilySnapshot(name: name, help: help, type: .gauge, samples: [MetricSample(labels: labels, value: Double(value))])
        }
        func counter(_ name: String, _ help: String, _ value: Int) -> MetricFamilySnapshot {
            MetricFamilySnapshot(
                name: name, help: help, type: .counter,
                samples: [MetricSample(suffix: "_total", labels: labels, value: Double(value))])
        }
        return [
            gauge("taskiq_tasks_in_flight", "Tasks running now", load.running),
            gauge("taskiq_tasks_queued", "Deliveries taken ahead that wait for a free runner", load.queued),
            counter("taskiq_deliveries", "Deliveries taken from the broker", statistics.received),
            counter("taskiq_dead_letters", "Messages stored in the dead-letter queue", statistics.deadLettered),
            counter("taskiq_undecodable_messages", "Deliveries that were not valid messages", statistics.undecodable),
            counter("taskiq_unknown_tasks", "Messages naming a task that is not registered", statistics.unknownTask),
            counter("taskiq_save_failures", "Results that could not be stored", statistics.saveFailures),
            counter("taskiq_ack_failures", "Acknowledgements that failed", statistics.ackFailures),
        ]
    }
}
