#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Delays between retries that grow exponentially up to a cap, with optional random spread:
/// the one backoff of reconnecting clients, retrying readers and the supervisor.
///
/// The `n`-th attempt (counting from 1) waits `d × (1 + u)`, where
/// `d = min(maximum, initial × multiplier^(n - 1))` and `u` is drawn uniformly from ``jitter``.
/// ```swift
/// let backoff = Backoff.exponential(initial: .milliseconds(100), maximum: .seconds(5), jitter: -0.5...0)
/// try await Task.sleep(for: backoff.delay(attempt: failures))
/// ```
/// Spreading the delays keeps many clients that lost the same server from retrying in lockstep.
package struct Backoff: Sendable, Hashable {
    /// The delay of the first attempt, before jitter.
    package var initial: Duration
    /// The largest delay before jitter.
    package var maximum: Duration
    /// The growth factor from one attempt to the next.
    package var multiplier: Double
    /// The range of the relative spread: `-0.5...0` waits between half the delay and all of it,
    /// `-0.1...0.1` within ±10 %, `0...0.5` up to half as long again, `0...0` exactly the delay.
    package var jitter: ClosedRange<Double>

    /// Creates a backoff.
    /// - Parameters:
    ///   - initial: The delay of the first attempt.
    ///   - maximum: The largest delay before jitter.
    ///   - multiplier: The growth factor per attempt.
    ///   - jitter: The range of the relative spread; none by default.
    package init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: ClosedRange<Double> = 0...0) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// A backoff that multiplies the delay by `multiplier` per attempt up to `maximum`.
    package static func exponential(
        initial: Duration, maximum: Duration, multiplier: Double = 2,
        jitter: ClosedRange<Double> = 0...0
    ) -> Backoff {
        Backoff(initial: initial, maximum: maximum, multiplier: multiplier, jitter: jitter)
    }

    /// The delay of attempt `attempt` (from 1) before jitter; zero for attempt 0 or less.
    package func baseDelay(attempt: Int) -> Duration {
        guard attempt > 0 else { return .zero }
        return Self.duration(seconds: baseSeconds(attempt: attempt))
    }

    /// The delay of attempt `attempt` (from 1), at the point `unit` (in `0...1`) of the jitter
    /// range: `0` its lower end, `1` its upper end. Zero for attempt 0 or less.
    package func delay(attempt: Int, jitterUnit unit: Double) -> Duration {
        guard attempt > 0 else { return .zero }
        let spread = jitter.lowerBound + (jitter.upperBound - jitter.lowerBound) * min(1, max(0, unit))
        return Self.duration(seconds: max(0, baseSeconds(attempt: attempt) * (1 + spread)))
    }

    /// The delay of attempt `attempt` (from 1), jittered with `generator`.
    package func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let unit = jitter.lowerBound == jitter.upperBound ? 0 : Double.random(in: 0..<1, using: &generator)
        return delay(attempt: attempt, jitterUnit: unit)
    }

    /// The delay of attempt `attempt` (from 1), jittered with the system generator.
    package func delay(attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &generator)
    }

    private func baseSeconds(attempt: Int) -> Double {
        let cap = maximum.inSeconds
        let first = initial.inSeconds
        guard first > 0 else { return 0 }
        // However many attempts, the growth is finite or infinite, never a trap; both are capped.
        let grown = first * power(multiplier, Double(attempt - 1))
        return grown.isNaN ? cap : min(cap, grown)
    }

    /// Whole nanoseconds, so that round delays print as such (`0.2 seconds`).
    static func duration(seconds: Double) -> Duration {
        .nanoseconds(Int64((min(seconds, 1e9) * 1e9).rounded()))
    }
}

/// C's `pow`, named apart from anything else called `pow` in scope.
#if canImport(Glibc)
private let power: @Sendable (Double, Double) -> Double = Glibc.pow
#elseif canImport(Darwin)
private let power: @Sendable (Double, Double) -> Double = Darwin.pow
#endif
