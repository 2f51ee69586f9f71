import TaskiqConfig

/// Percentiles of kick-to-result latencies, by the nearest-rank method.
///
/// The p-th percentile is the smallest sample with at least p % of the samples at or below it:
/// `sorted[ceil(p / 100 × n) − 1]`. The Python side of `bench/compare.sh` uses the same rule, so
/// the two columns are comparable.
package struct LatencySummary: Sendable, Hashable {
    /// Samples summarised.
    package var count: Int
    package var p50: Duration
    package var p90: Duration
    package var p99: Duration
    package var max: Duration

    /// Summarises samples in nanoseconds; `nil` when there are none.
    package init?(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func at(_ percent: Int) -> Duration { .nanoseconds(Int64(Self.nearestRank(percent, of: sorted))) }
        count = sorted.count
        p50 = at(50)
        p90 = at(90)
        p99 = at(99)
        max = .nanoseconds(Int64(sorted[sorted.count - 1]))
    }

    /// The nearest-rank percentile of sorted, non-empty samples; `percent` from 1 to 100.
    package static func nearestRank<T>(_ percent: Int, of sorted: [T]) -> T {
        precondition(!sorted.isEmpty && (1...100).contains(percent), "a percentile of at least one sample")
        let rank = (percent * sorted.count + 99) / 100    // ceil(percent / 100 × n)
        return sorted[Swift.max(rank, 1) - 1]
    }
}

extension Duration {
    /// The duration in milliseconds, as a floating-point number.
    var milliseconds: Double {
        inSeconds * 1000
    }
}
