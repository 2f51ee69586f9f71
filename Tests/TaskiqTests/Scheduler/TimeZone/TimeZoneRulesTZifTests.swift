import Foundation
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The TZif reader on hand-made, damaged and hostile input: it reads what RFC 8536 allows and
/// throws a clear error, never traps, on anything else.
@Suite struct TimeZoneRulesTZifTests {
    /// A TZif file: a minimal version 1 block, then the 64-bit block and footer of `version`.
    static func tzif(
        version: UInt8 = UInt8(ascii: "2"), transitions: [Int64], indices: [UInt8],
        types: [(offset: Int32, isDST: UInt8, designation: UInt8)], chars: String = "LMT\0CET\0CEST\0",
        footer: String = "CET-1CEST,M3.5.0,M10.5.0/3"
    ) -> [UInt8] {
        func header(_ counts: [Int]) -> [UInt8] {
            Array("TZif".utf8) + [version] + [UInt8](repeating: 0, count: 15)
                + counts.flatMap { count in (0..<4).reversed().map { UInt8(truncatingIfNeeded: count >> ($0 * 8)) } }
        }
        func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
            (0..<T.bitWidth / 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
        var bytes = header([0, 0, 0, 0, 1, 1]) + be(Int32(0)) + [0, 0] + [0]
        bytes += header([0, 0, 0, transitions.count, types.count, chars.utf8.count])
        bytes += transitions.flatMap(be) + indices
        bytes += types.flatMap { be($0.offset) + [$0.isDST, $0.designation] } + Array(chars.utf8)
        bytes += Array("\n\(footer)\n".utf8)
        return bytes
    }

    static let sample = tzif(
        transitions: [-2_422_054_408, 1_000_000_000], indices: [1, 2],
        types: [(3208, 0, 0), (3600, 0, 4), (7200, 1, 8)])

    @Test func readsHandMadeData() throws {
        let rules = try TimeZoneRules(tzif: Self.sample)
        #expect(rules.utcOffset(at: -3_000_000_000) == 3208)  // before the first transition: type 0
        #expect(rules.utcOffset(at: -2_422_054_408) == 3600)
        #expect(rules.utcOffset(at: 999_999_999) == 3600)
        #expect(rules.utcOffset(at: 1_000_000_000) == 7200)  // the last transition itself: the footer
        #expect(rules.utcOffset(at: 1_909_000_000) == 7200)  // 2030-06-29: summer time from the footer
        #expect(rules.utcOffset(at: 1_925_000_000) == 3600)  // 2030-12-31: winter time from the footer
    }

    @Test func readsVersionOneWithoutFooter() throws {
        // A version 1 file: only the 32-bit block, no footer; the last type holds for ever.
        var bytes = Array("TZif".utf8) + [0] + [UInt8](repeating: 0, count: 15)
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4]
        bytes += [0x3B, 0x9A, 0xCA, 0x00] + [1]  // 1_000_000_000 → type 1
        bytes += [0, 0, 0, 0, 0, 0] + [0, 0, 0x0E, 0x10, 0, 0] + Array("UTC\0".utf8)
        let rules = try TimeZoneRules(tzif: bytes)
        #expect(rules.utcOffset(at: 0) == 0)
        #expect(rules.utcOffset(at: 2_000_000_000) == 3600)
    }

    @Test func readsEveryFileOfTheSystemDatabase() throws {
        let root = "/usr/share/zoneinfo"
        let names = try #require(FileManager.default.subpathsOfDirectory(atPath: root) as [String]?)
        var read = 0
        for name in names where name.first?.isUppercase == true && !name.contains(".") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            _ = try TimeZoneRules.load(named: name)
            read += 1
        }
        #expect(read > 500)
    }

    /// Every cut of a real zone file is refused with an error, never a trap.
    @Test(arguments: ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
    func truncatedFilesThrow(zone: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/usr/share/zoneinfo/\(zone)")))
        _ = try TimeZoneRules(tzif: bytes)
        for length in 0..<bytes.count - 1 {
            #expect(throws: TimeZoneRulesError.self, "cut at \(length)") { try TimeZoneRules(tzif: Array(bytes[..<length])) }
        }
    }

    /// Random damage to real files: each result is a clean error or rules that answer without trapping.
    @Test func corruptedFilesNeverTrap() throws {
        var generator = SeededGenerator(seed: 8536)
        let originals = try ["Europe/Berlin", "Pacific/Apia", "Africa/Casablanca"].map {
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/usr/share/zoneinfo/\($0)")))
        }
        var parsed = 0
        for _ in 0..<3000 {
            var bytes = originals.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            guard let rules = try? TimeZoneRules(tzif: bytes) else { continue }
            parsed += 1
            for instant in [Int64.min, -1 << 59, -2_208_988_800, 0, 2_000_000_000, 4_102_444_800, 1 << 59, Int64.max] {
                let offset = rules.utcOffset(at: instant)
                #expect(abs(offset) < 26 * 3600)
            }
        }
        #expect(parsed > 0)
    }

    @Test(
        arguments: [
            ("no header", [UInt8]()),
            ("wrong magic", Array("TZIF2".utf8) + [UInt8](repeating: 0, count: 60)),
            ("type index out of range", tzif(transitions: [0], indices: [5], types: [(0, 0, 0)])),
            ("transitions out of order", tzif(transitions: [10, 5], indices: [0, 0], types: [(0, 0, 0)])),
            ("no types", tzif(transitions: [], indices: [], types: [])),
            ("offset out of range", tzif(transitions: [0], indices: [0], types: [(100_000, 0, 0)])),
            ("minimum offset", tzif(transitions: [0], indices: [0], types: [(Int32.min, 0, 0)])),
            ("daylight flag 2", tzif(transitions: [0], indices: [0], types: [(0, 2, 0)])),
            ("abbreviation index past the end", tzif(transitions: [0], indices: [0], types: [(0, 0, 200)])),
            ("bad footer", tzif(transitions: [0], indices: [0], types: [(0, 0, 0)], footer: "CET-1CEST,M13.5.0,M10.5.0")),
            ("footer without newline", Array(tzif(transitions: [0], indices: [0], types: [(0, 0, 0)]).dropLast())),
            ("unknown version", tzif(version: UInt8(ascii: "1"), transitions: [0], indices: [0], types: [(0, 0, 0)])),
        ] as [(String, [UInt8])])
    func rejectsDamagedData(_ problem: String, bytes: [UInt8]) {
        #expect(throws: TimeZoneRulesError.self, "\(problem)") { try TimeZoneRules(tzif: bytes, name: "Test/Zone") }
    }

    @Test func hugeCountsThrowWithoutAllocating() {
        var bytes = Self.sample
        // The second header's time count (bytes 44 + 7 + 20 + 12 ..< +16 of the file) set to 2^32 - 1.
        let countOffset = 44 + 7 + 20 + 12
        for index in countOffset..<countOffset + 4 { bytes[index] = 0xFF }
        #expect(throws: TimeZoneRulesError.self) { try TimeZoneRules(tzif: bytes) }
    }

    /// Found by `scripts/fuzz.sh tzif`: a version 1 header whose counts promise a gigabyte made
    /// the reader reserve it before noticing the file was 100 bytes long.
    @Test func hugeCountsInAVersionOneFileThrowWithoutAllocating() {
        var bytes = Array("TZif".utf8) + [0] + [UInt8](repeating: 0, count: 15)
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x4A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4]
        bytes += [UInt8](repeating: 0x82, count: 60)
        #expect(throws: TimeZoneRulesError.self) { try TimeZoneRules(tzif: bytes) }
    }

    @Test(arguments: [
        "../../../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe/./Berlin", "Europe//Berlin",
        "Europe/Berlin/", "", "Europe/Ber lin", "Europe/Berlin\0", "Europe\\Berlin", "~root", "$HOME",
        String(repeating: "A", count: 256),
    ])
    func hostileNamesAreRefusedBeforeAnyFileIsRead(name: String) {
        #expect {
            try TimeZoneRules.load(named: name)
        } throws: { error in
            (error as? TimeZoneRulesError)?.code == .invalidName
        }
    }

    @Test func loadsFromAnotherDatabaseDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tzdir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("Test"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.sample).write(to: directory.appendingPathComponent("Test/Zone"))
        let rules = try TimeZoneRules.load(named: "Test/Zone", from: directory.path)
        #expect(rules.utcOffset(at: 999_999_999) == 3600)
        #expect {
            try TimeZoneRules.load(named: "Test/Missing", from: directory.path)
        } throws: { error in
            let error = error as? TimeZoneRulesError
            return error?.code == .unknownZone && error?.message.contains(directory.path + "/Test/Missing") == true
        }
        #expect {
            try TimeZoneRules.load(named: "Test", from: directory.path)
        } throws: { error in
            (error as? TimeZoneRulesError)?.code == .unknownZone
        }
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: directory.appendingPathComponent("Test/Zone").path)
        if getuid() != 0 {  // root reads it anyway
            #expect {
                try TimeZoneRules.load(named: "Test/Zone", from: directory.path)
            } throws: { error in
                let error = error as? TimeZoneRulesError
                return error?.code == .unreadable && error?.message.contains("Permission denied") == true
            }
        }
    }

    @Test func aMissingDatabaseNamesThePathAndTzdata() {
        #expect {
            try TimeZoneRules.load(named: "Europe/Berlin", from: "/nonexistent/zoneinfo")
        } throws: { error in
            let error = error as? TimeZoneRulesError
            return error?.code == .missingDatabase && error?.message.contains("/nonexistent/zoneinfo") == true
                && error?.message.contains("tzdata") == true
        }
    }
}
