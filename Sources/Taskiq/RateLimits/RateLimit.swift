/// How often a task, or the tasks of a queue, may start: `count` starts per `period`, evenly spaced.
///
/// Written as `"<count>/<unit>"` with the unit `s`, `m`, `h` or `d` (also `sec`, `second`,
/// `min`, `minute`, `hour`, `day`), as in config files and the `rate_limit` label:
/// `"10/s"`, `"100/m"`, `"5/h"`. Starts are spaced by `period / count`, as Celery's
/// `rate_limit` does, with a late start made up (see ``slackMicroseconds``): no burst beyond
/// one extra start.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// The most a count may be: one start per microsecond per second is already past any real use.
    public static let maximumCount = 1_000_000

    /// Starts allowed per ``periodSeconds``.
    public let count: Int
    /// The period, in seconds (1, 60, 3600 or 86400).
    public let periodSeconds: Int

    /// Creates a limit of `count` starts per `periodSeconds`.
    /// - Throws: ``RateLimitError`` with code `badCount` for a count outside 1...``maximumCount``.
    public init(count: Int, perSeconds periodSeconds: Int) throws(RateLimitError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw RateLimitError(.badCount, text: "\(count)/\(periodSeconds)s")
        }
        guard [1, 60, 3600, 86400].contains(periodSeconds) else {
            throw RateLimitError(.badUnit, text: "\(count)/\(periodSeconds)s")
        }
        self.count = count
        self.periodSeconds = periodSeconds
    }

    /// Parses `"10/s"`, `"100/m"`, `"5/h"`, `"1000/d"` (spaces around the parts allowed).
    /// - Throws: ``RateLimitError`` saying what was wrong and what is expected.
    public init(parsing text: String) throws(RateLimitError) {
        guard text.utf8.count <= 64 else { throw RateLimitError(.malformed, text: text) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw RateLimitError(.malformed, text: text) }
        let countText = parts[0].trimmingASCIIWhitespaceForRateLimit()
        let unitText = parts[1].trimmingASCIIWhitespaceForRateLimit().lowercased()
        guard !countText.isEmpty, countText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let count = Int(countText), (1...Self.maximumCount).contains(count)
        else {
            throw RateLimitError(.badCount, text: text)
        }
        let seconds: Int
        switch unitText {
        case "s", "sec", "second": seconds = 1
        case "m", "min", "minute": seconds = 60
        case "h", "hour": seconds = 3600
        case "d", "day": seconds = 86400
        default: throw RateLimitError(.badUnit, text: text)
        }
        self.count = count
        self.periodSeconds = seconds
    }

    /// The time between two starts, in microseconds (at least 1).
    public var intervalMicroseconds: Int { max(1, periodSeconds * 1_000_000 / count) }

    /// How late a start may be and still keep its place in the schedule, in microseconds: one
    /// interval, at most 250 ms. A delivery told to wait wakes a little late (timers, a round
    /// trip to the store, a busy machine); without this the rate would fall short by that much
    /// every time. The price: after a late start the next may follow at once, so over any
    /// stretch of time at most one start more than the rate allows happens.
    public var slackMicroseconds: Int { min(intervalMicroseconds, 250_000) }

    /// The time between two starts.
    public var interval: Duration { .microseconds(intervalMicroseconds) }

    /// The limit as written: `"10/s"`.
    public var description: String {
        let unit =
            switch periodSeconds {
            case 1: "s"
            case 60: "m"
            case 3600: "h"
            default: "d"
            }
        return "\(count)/\(unit)"
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespaceForRateLimit() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
