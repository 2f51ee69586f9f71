import Foundation
import Taskiq

/// Parses `2025-01-01T00:00:00Z`-style times for test tables.
package func utc(_ text: String) -> Date {
    Date(timeIntervalSince1970: ISO8601Timestamp.parse(text)!)
}

/// Formats an instant as `2025-01-01T00:00:00Z` so failures read as times.
package func iso(_ date: Date?) -> String {
    guard let date else { return "nil" }
    let text = ISO8601Timestamp.format(secondsSince1970: date.timeIntervalSince1970)
    return text.hasSuffix(".000000Z") ? String(text.dropLast(8)) + "Z" : text
}
