extension Duration {
    /// The duration in seconds, as a floating-point number (`.milliseconds(1500)` is `1.5`).
    ///
    /// The one conversion from `Duration` to `Double` seconds that the modules share, for delays
    /// computed in floating point, `Date` arithmetic, socket timeouts and reports.
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
