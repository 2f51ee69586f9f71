import Dispatch
import Synchronization

/// The `taskiq_queue_depth{broker,queue}` gauge, asked of the brokers that can tell at every
/// scrape (see ``QueueDepthReporting``).
///
/// The collector blocks its caller for at most ``timeout`` while the brokers answer, so call it
/// only from a thread of its own (the metrics endpoint's connection threads), never from a task.
/// A broker that fails or is slow is left out of that scrape.
public enum QueueDepthMetrics {
    /// How long a scrape waits for the brokers.
    public static let timeout: Duration = .seconds(2)

    /// A collector reading `brokers` (name to broker) at every scrape.
    public static func collector(_ brokers: [String: any QueueDepthReporting]) -> @Sendable () -> [MetricFamilySnapshot] {
        let ordered = brokers.sorted { $0.key < $1.key }.map { Source(name: $0.key, broker: $0.value) }
        return {
            let samples = Mutex<[MetricSample]>([])
            let done = DispatchSemaphore(value: 0)
            let task = Task {
                await withTaskGroup(of: [MetricSample].self) { group in
                    for source in ordered {
                        group.addTask {
                            let depths = (try? await source.broker.queueDepths()) ?? []
                            return depths.map {
                                MetricSample(
                                    labels: [MetricLabel("broker", source.name), MetricLabel("queue", $0.queue)],
                                    value: Double($0.depth))
                            }
                        }
                    }
                    for await found in group { samples.withLock { $0 += found } }
                }
                done.signal()
            }
            if done.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds) * 1000)) == .timedOut { task.cancel() }
            let collected = samples.withLock { $0 }.sorted {
                ($0.labels.first?.value ?? "", $0.labels.last?.value ?? "") < ($1.labels.first?.value ?? "", $1.labels.last?.value ?? "")
            }
            return [
                MetricFamilySnapshot(
                    name: "taskiq_queue_depth", help: "Messages waiting in a broker's queue", type: .gauge,
                    samples: collected)
            ]
        }
    }

    private struct Source: Sendable {
        let name: String
        let broker: any QueueDepthReporting
    }
}
