import Foundation
import Synchronization
import Testing

@testable import Taskiq

@Suite struct TaskIDGeneratorTests {
    static func isLowerHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Version nibble (13th hex digit) and variant (17th hex digit, one of 8 9 a b).
    static func versionAndVariant(_ hex: String) -> (Character, Character) {
        let digits = Array(hex.replacingOccurrences(of: "-", with: ""))
        return (digits[12], digits[16])
    }

    @Test func uuid4IsThirtyTwoLowercaseHexWithVersionAndVariantBits() {
        for _ in 0..<1000 {
            let id = TaskIDGenerator.uuid4()
            #expect(id.utf8.count == 32)
            #expect(Self.isLowerHex(id[...]))
            let (version, variant) = Self.versionAndVariant(id)
            #expect(version == "4")
            #expect("89ab".contains(variant))
        }
    }

    @Test func uuid4DashedIsCanonicalAndParsesAsAUUID() throws {
        let id = TaskIDGenerator.uuid4Dashed()
        #expect(id.utf8.count == 36)
        let groups = id.split(separator: "-", omittingEmptySubsequences: false)
        #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
        #expect(groups.allSatisfy(Self.isLowerHex))
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
        #expect(Self.versionAndVariant(id).0 == "4")
    }

    @Test func uuid7IsThirtyTwoLowercaseHexWithTimestampVersionAndVariant() {
        let before = UUIDv7Clock.unixMilliseconds()
        let id = TaskIDGenerator.uuid7()
        let after = UUIDv7Clock.unixMilliseconds()
        #expect(id.utf8.count == 32)
        #expect(Self.isLowerHex(id[...]))
        let (version, variant) = Self.versionAndVariant(id)
        #expect(version == "7")
        #expect("89ab".contains(variant))
        let millisecond = UInt64(id.prefix(12), radix: 16) ?? 0
        // Allowed to run ahead of the clock by a few ms when a millisecond's counter overflows.
        #expect(millisecond >= before && millisecond <= after + 100)
    }

    @Test(arguments: [TaskIDGenerator.uuid4, .uuid7, .uuid4Dashed])
    func idsAreUniqueOverOneHundredThousand(generator: TaskIDGenerator) {
        var seen = Set<String>(minimumCapacity: 100_000)
        for _ in 0..<100_000 {
            seen.insert(generator())
        }
        #expect(seen.count == 100_000)
    }

    @Test func uuid7IdsAreStrictlyIncreasing() {
        var previous = TaskIDGenerator.uuid7()
        var outOfOrder = 0
        for _ in 0..<10_000 {
            let id = TaskIDGenerator.uuid7()
            if !(id > previous) { outOfOrder += 1 }
            previous = id
        }
        #expect(outOfOrder == 0)
    }

    @Test func uuid7StaysMonotonicWhenTheCounterOverflowsOrTheClockStepsBack() {
        let time = Atomic<UInt64>(1_000)
        let clock = UUIDv7Clock(now: { time.load(ordering: .relaxed) })
        var previous = clock.next().hex(dashed: false)
        for step in 0..<10_000 {
            if step == 5_000 { time.store(900, ordering: .relaxed) }
            let id = clock.next().hex(dashed: false)
            #expect(id > previous)
            previous = id
        }
    }

    @Test func customGeneratorsAreCalledEachTime() {
        let counter = Atomic<Int>(0)
        let generator = TaskIDGenerator.custom { "job-\(counter.add(1, ordering: .relaxed).newValue)" }
        #expect(generator() == "job-1")
        #expect(generator() == "job-2")
    }
}
