extension Duration {
    /// The duration in seconds, as a floating-point number (`.milliseconds(1500)` is `1.5`).
    ///
    /// The one conversion from `Duration` to `Double` seconds that the modules share, for delays
    /// computed in floating point, `Date` arithmetic, socket timeouts and reports.
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds (rounded toward zero), saturating at the bounds of
    /// `Int` rather than trapping: the one conversion for Redis `PX`/`BLOCK` arguments, poll
    /// timeouts and config output, whatever duration a user or a factory passed.
    package var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? Int.min : Int.max }
        let (total, carry) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !carry else { return seconds < 0 ? Int.min : Int.max }
        return Int(total)
    }
}
