import Foundation
import Testing

@testable import Taskiq

/// Our TZif reader against Foundation's ICU-backed `TimeZone` (which the product no longer links):
/// for every zone both know, the offsets agree at instants up to 2100 — on a grid, and a second
/// either side of every transition either implementation reports.
///
/// From 1900 for the zones `zone1970.tab` lists (canonical in every build of the database); from
/// 1970 for the others. Those are links whose pre-1970 history differs between builds: Debian
/// compiles the `backzone` file, which gives `Africa/Bamako` its own 1912 offset, while ICU
/// merges it into `Africa/Abidjan`. That is the data, not the reader.
@Suite struct TimeZoneRulesFoundationTests {
    /// Zones that must be among those compared: 30-minute DST, odd offsets, date-line jumps,
    /// southern hemisphere rules, Ramadan DST suspensions, a +2h "DST".
    static let required = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
        "Pacific/Apia", "America/Sao_Paulo", "Africa/Casablanca", "Antarctica/Troll",
        "Europe/Dublin", "Asia/Tehran", "America/Nuuk", "Pacific/Chatham", "Asia/Jerusalem",
    ]

    /// Every zone Foundation knows that the system database has a file for.
    static let zones: [String] = {
        let known = Set(TimeZone.knownTimeZoneIdentifiers).union(required)
        return known.filter { FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/\($0)") }.sorted()
    }()

    /// The zones canonical in every build of the database, from `zone1970.tab`.
    static let canonical: Set<String> = {
        let table = (try? String(contentsOfFile: "/usr/share/zoneinfo/zone1970.tab", encoding: .utf8)) ?? ""
        return Set(
            table.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                line.split(separator: "\t").dropFirst(2).first.map(String.init)
            })
    }()

    static let start: Int64 = -2_208_988_800  // 1900-01-01
    static let epoch: Int64 = 0
    static let end: Int64 = 4_102_444_800  // 2100-01-01

    @Test func everyRequiredZoneIsCompared() {
        #expect(Self.required.allSatisfy(Self.zones.contains), "missing: \(Self.required.filter { !Self.zones.contains($0) })")
        #expect(Self.zones.count > 300)
        #expect(Self.canonical.count > 300)
    }

    @Test(arguments: zones)
    func offsetsMatchFoundation(zone: String) throws {
        let rules = try TimeZoneRules.load(named: zone)
        let foundation = try #require(TimeZone(identifier: zone))
        let start = Self.canonical.contains(zone) ? Self.start : Self.epoch
        var instants: [Int64] = []
        // A grid of about 9.3 days, so each DST period of a year is sampled many times.
        var t = start
        while t < Self.end {
            instants.append(t)
            t += 800_009
        }
        // Either side of Foundation's transitions…
        var date = Date(timeIntervalSince1970: Double(start))
        while let next = foundation.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < Double(Self.end) {
            let second = Int64(next.timeIntervalSince1970.rounded(.down))
            instants += [second - 1, second]
            date = next
        }
        // …and ours.
        for transition in rules.transitions where transition >= start && transition < Self.end {
            instants += [transition - 1, transition]
        }
        var mismatches: [String] = []
        for instant in instants {
            let ours = rules.utcOffset(at: instant)
            let theirs = foundation.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
            if ours != theirs { mismatches.append("\(Date(timeIntervalSince1970: Double(instant))): ours \(ours), Foundation \(theirs)") }
        }
        #expect(mismatches.isEmpty, "\(zone): \(mismatches.count) of \(instants.count) instants differ, first \(mismatches.prefix(5))")
    }
}
