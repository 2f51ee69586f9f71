extension BrokerMessage {
    /// The `delay` label (seconds, a number or a numeric string) as a duration, when positive.
    ///
    /// ``SmartRetryMiddleware`` writes it on every retry; the in-memory and Redis brokers hold
    /// such a message back that long before it can run.
    package var delay: Duration? { Self.delay(labels["delay"]) }

    /// A `delay` label's value as a duration, when it is a positive number of seconds; longer
    /// than ``Swift/Duration/maximumCheckedSeconds`` (+infinity included) is held back that long
    /// (see ``Swift/Duration/clampedSeconds(_:)``). NaN, zero, negatives and text that is not a
    /// number mean no delay.
    package static func delay(_ label: JSONValue?) -> Duration? {
        guard let label else { return nil }
        guard let seconds = label.secondsValue, seconds > 0 else { return nil }
        return Duration.clampedSeconds(seconds)
    }
}
