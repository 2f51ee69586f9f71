/// The current time as taskiq-dashboard's Python middleware writes it: naive UTC in Python's
/// `isoformat()`, `2026-12-06T22:46:11.123456` (no fraction when the microseconds are 0).
enum DashboardTimestamp {
    /// Now, formatted.
    static func now() -> String {
        let (seconds, nanoseconds) = WallClock.now()
        return format(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// `seconds` since the Unix epoch plus `nanoseconds`, formatted (microseconds truncated).
    static func format(seconds: Int, nanoseconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let civil = CivilDate.date(daysSinceEpoch: Int64(days))
        func pad(_ value: Int, _ digits: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        var text =
            "\(pad(Int(civil.year), 4))-\(pad(Int(civil.month), 2))-\(pad(Int(civil.day), 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
        let microseconds = max(0, min(999_999, nanoseconds / 1000))
        if microseconds != 0 { text += ".\(pad(microseconds, 6))" }
        return text
    }
}
