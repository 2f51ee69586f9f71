import Taskiq

/// How long the supervisor waits before restarting a worker process that died.
///
/// The delay grows exponentially with the worker's consecutive failures, is capped at
/// ``maximum`` and spread by ``jitter`` so that workers failing together do not restart in
/// lockstep; the jittered delay never exceeds ``maximum``. A worker that stayed up for ``resetAfter`` is considered healthy again: its
/// next failure waits ``initial`` only.
public struct SupervisorBackoff: Sendable, Hashable {
    /// The delay after a first failure. Default 0.5 s.
    public var initial: Duration
    /// The largest delay, however many failures. Default 30 s.
    public var maximum: Duration
    /// The factor between consecutive delays. Default 2.
    public var multiplier: Double
    /// The relative spread of each delay: `0.1` picks a delay within ±10 %. Default 0.1.
    public var jitter: Double
    /// How long a worker must stay up for its failure count to start again from zero.
    /// Default 30 s.
    public var resetAfter: Duration

    /// Creates a backoff.
    /// - Parameters:
    ///   - initial: The delay after a first failure.
    ///   - maximum: The largest delay.
    ///   - multiplier: The factor between consecutive delays.
    ///   - jitter: The relative spread of each delay, between 0 and 1.
    ///   - resetAfter: How long a worker must stay up for its failures to be forgotten.
    public init(
        initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30),
        multiplier: Double = 2, jitter: Double = 0.1, resetAfter: Duration = .seconds(30)
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
        self.resetAfter = resetAfter
    }

    /// The delay before the restart that follows the `failures`-th consecutive failure.
    /// - Parameters:
    ///   - failures: Consecutive failures, counting this one; at least 1.
    ///   - jitterUnit: A number in `0...1` that picks the point within the jitter range
    ///     (`0.5` is the unjittered delay); random in production, fixed in tests.
    func delay(afterFailures failures: Int, jitterUnit: Double) -> Duration {
        min(maximum, backoff.delay(attempt: max(1, failures), jitterUnit: jitterUnit))
    }

    /// The delays before jitter is capped again: ±``jitter`` around the exponential delay.
    var backoff: Backoff {
        let spread = min(1, max(0, jitter))
        return .exponential(initial: initial, maximum: maximum, multiplier: max(1, multiplier), jitter: -spread...spread)
    }
}
