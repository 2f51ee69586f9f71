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
    /// The 99.9th percentile: the tail an open-loop run is about.
    package var p999: Duration
    package var max: Duration

    /// Summarises samples in nanoseconds; `nil` when there are none.
    package init?(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func at(perMille: Int) -> Duration { .nanoseconds(Int64(Self.nearestRank(perMille: perMille, of: sorted))) }
        count = sorted.count
        p50 = at(perMille: 500)
        p90 = at(perMille: 900)
        p99 = at(perMille: 990)
        p999 = at(perMille: 999)
        max = .nanoseconds(Int64(sorted[sorted.count - 1]))
    }

    /// The nearest-rank percentile of sorted, non-empty samples; `percent` from 1 to 100.
    package static func nearestRank<T>(_ percent: Int, of sorted: [T]) -> T {
        nearestRank(perMille: percent * 10, of: sorted)
    }

    /// The nearest-rank quantile in thousandths (999 for p99.9), in integers so that no rounding
    /// moves the rank; `perMille` from 1 to 1000.
    package static func nearestRank<T>(perMille: Int, of sorted: [T]) -> T {
        precondition(!sorted.isEmpty && (1...1000).contains(perMille), "a quantile of at least one sample")
        let rank = (perMille * sorted.count + 999) / 1000  // ceil(perMille / 1000 × n)
        return sorted[Swift.max(rank, 1) - 1]
    }
}

extension Duration {
    /// The duration in milliseconds, as a floating-point number.
    var milliseconds: Double {
        inSeconds * 1000
    }
}
