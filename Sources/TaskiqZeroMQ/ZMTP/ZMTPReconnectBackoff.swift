import Taskiq

/// Delays between reconnect attempts: randomized, doubling from an initial interval to a cap.
///
/// Each delay is the current interval plus up to half of it again at random, so many clients
/// restarted together do not reconnect in lockstep; ``reset()`` after a completed handshake.
package struct ZMTPReconnectBackoff: Sendable {
    /// The first interval.
    package let initial: Duration
    /// The largest interval, before jitter.
    package let maximum: Duration
    private var current: Duration

    package init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(3)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.current = initial
    }

    /// The next delay to wait, advancing the interval.
    package mutating func next(using generator: inout some RandomNumberGenerator) -> Duration {
        let base = current
        current = min(current * 2, maximum)
        let jitter = Double.random(in: 0..<0.5, using: &generator)
        return base + base * jitter
    }

    /// The next delay, using the system generator.
    package mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// Starts again from the initial interval.
    package mutating func reset() { current = initial }
}
