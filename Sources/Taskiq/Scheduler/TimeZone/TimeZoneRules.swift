/// The UTC offsets of one time zone through history, read from the system's zone database
/// (`/usr/share/zoneinfo`) without Foundation's ICU-backed `TimeZone`.
///
/// ```swift
/// let berlin = try TimeZoneRules.load(named: "Europe/Berlin")
/// berlin.utcOffset(at: 1_751_328_000)   // 7200: 2025-07-01 is summer time
/// ```
/// A zone is a list of transitions (instants at which the offset changes) and, for instants
/// after the last one, a POSIX `TZ` rule such as `CET-1CEST,M3.5.0,M10.5.0/3` that repeats every
/// year. A fixed offset (``fixed(utcOffset:)``) has neither.
public struct TimeZoneRules: Sendable, Hashable {
    /// Instants (seconds since 1970, UTC) at which the offset changes, ascending.
    let transitions: [Int64]
    /// The offset (seconds east of UTC) from each transition on: `offsets[i]` from `transitions[i]`.
    let offsets: [Int32]
    /// The offset before the first transition (or always, without transitions and rule).
    let initialOffset: Int
    /// The yearly rule for instants at and after the last transition.
    let rule: POSIXTimeZoneRule?

    /// A zone that is always `utcOffset` seconds east of UTC.
    /// - Parameter utcOffset: Seconds east of UTC, such as `-18_000` for `-05:00`.
    public static func fixed(utcOffset: Int) -> TimeZoneRules {
        TimeZoneRules(transitions: [], offsets: [], initialOffset: utcOffset, rule: nil)
    }

    /// The seconds east of UTC in this zone at `instant`.
    /// - Parameter instant: Seconds since 1970-01-01 00:00 UTC.
    /// - Returns: The offset: local wall-clock time is `instant + utcOffset(at: instant)`.
    public func utcOffset(at instant: Int64) -> Int {
        guard let last = transitions.last else { return rule?.utcOffset(at: instant) ?? initialOffset }
        if instant < transitions[0] { return initialOffset }
        if instant >= last, let rule { return rule.utcOffset(at: instant) }
        // The last transition at or before `instant`.
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = low + (high - low + 1) / 2
            if transitions[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return Int(offsets[low])
    }
}
