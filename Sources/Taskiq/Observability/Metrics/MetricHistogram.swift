import Synchronization

/// One histogram series: observations counted into cumulative buckets, with their sum.
///
/// An observation takes one short lock (no allocation), which keeps the buckets, the sum and
/// the count consistent with each other at a scrape.
public final class MetricHistogram: Sendable {
    /// Python `prometheus_client`'s default buckets, in seconds (`+Inf` is implied).
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

    private struct State {
        var counts: [Int]
        var sum = 0.0
        var count = 0
    }

    /// The upper bounds of the buckets, ascending, without `+Inf`.
    public let upperBounds: [Double]
    private let state: Mutex<State>

    /// Creates an empty histogram.
    /// - Parameter upperBounds: The buckets' upper bounds; sorted, non-finite ones and duplicates dropped.
    public init(upperBounds: [Double] = MetricHistogram.defaultBuckets) {
        var bounds: [Double] = []
        for bound in upperBounds.sorted() where bound.isFinite && bounds.last != bound { bounds.append(bound) }
        self.upperBounds = bounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: bounds.count)))
    }

    /// Records one observation; NaN is ignored.
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        // The first bucket whose bound is >= value; the counts are made cumulative when read.
        var index = 0
        while index < upperBounds.count, value > upperBounds[index] { index += 1 }
        state.withLock { state in
            if index < state.counts.count { state.counts[index] += 1 }
            state.sum += value
            state.count &+= 1
        }
    }

    /// The cumulative bucket counts (one per bound, then `+Inf`), the sum and the count.
    public var reading: (buckets: [Int], sum: Double, count: Int) {
        let copy = state.withLock { $0 }
        var cumulative: [Int] = []
        cumulative.reserveCapacity(copy.counts.count + 1)
        var running = 0
        for count in copy.counts {
            running &+= count
            cumulative.append(running)
        }
        cumulative.append(copy.count)
        return (cumulative, copy.sum, copy.count)
    }
}
