import Taskiq

/// The time zone readers: `TimeZoneRules(tzif:)` on the bytes of a zone file, and
/// `POSIXTimeZoneRule(parsing:)` on the text of its footer.
///
/// Byte 0 of an input is a control byte: bit 0 picks the reader (0 TZif, 1 POSIX rule); the rest
/// is the file or the rule. Beyond "never traps": only ``TimeZoneRulesError`` is thrown (the typed
/// `throws` guarantees it), and what parses answers every instant, from `Int64.min` to
/// `Int64.max`, with an offset within RFC 8536's range (more than -25 h, less than 26 h).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTZif(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(start, count)
    guard let control = input.first else { return 0 }
    let body = Array(input.dropFirst())
    let offsetAt: (Int64) -> Int
    if control & 1 == 0 {
        guard let rules = try? TimeZoneRules(tzif: body, name: "fuzz") else { return 0 }
        offsetAt = rules.utcOffset(at:)
    } else {
        guard let rule = try? POSIXTimeZoneRule(parsing: String(decoding: body, as: UTF8.self)) else { return 0 }
        offsetAt = rule.utcOffset(at:)
    }
    for instant: Int64 in [
        .min, -1 << 59, -1 << 40, -2_208_988_800, -1, 0, 1_000_000_000, 2_147_483_647,
        4_102_444_800, 1 << 40, 1 << 59, .max,
    ] {
        let offset = offsetAt(instant)
        expect(offset > -90_000 && offset < 93_600, "offset \(offset) at \(instant)")
    }
    return 0
}
