import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// A small deterministic PRNG (SplitMix64) so failures reproduce from the seed.

extension RESP {
    @Suite struct RESPFuzzTests {
        static func randomValue(_ rng: inout SeededGenerator, depth: Int = 0) -> RESPValue {
            let leaf = depth > 3 || Int.random(in: 0..<3, using: &rng) > 0
            if leaf {
                switch Int.random(in: 0..<11, using: &rng) {
                case 0: return .simpleString(String(repeating: "x", count: Int.random(in: 0..<8, using: &rng)))
                case 1: return .simpleError("ERR e\(Int.random(in: 0..<99, using: &rng))")
                case 2: return .integer(Int64.random(in: .min ... .max, using: &rng))
                case 3: return .bulkString((0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                case 4: return .null([.bulkString, .array, .resp3][Int.random(in: 0..<3, using: &rng)])
                case 5: return .boolean(Bool.random(using: &rng))
                case 6: return .double(Double(Int.random(in: -1000...1000, using: &rng)) / 8)
                case 7: return .bigNumber(String(UInt64.random(in: 0 ... .max, using: &rng)) + "123456789")
                case 8: return .bulkError("ERR \r\n inside")
                case 9: return .verbatimString(format: "txt", text: Array("a\r\nb".utf8))
                default: return .integer(Int64(Int.random(in: -5...5, using: &rng)))
                }
            }
            let count = Int.random(in: 0..<5, using: &rng)
            let children = (0..<count).map { _ in randomValue(&rng, depth: depth + 1) }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .array(children)
            case 1: return .set(children)
            default: return .map(stride(from: 0, to: children.count - 1, by: 2).map { .init(children[$0], children[$0 + 1]) })
            }
        }

        @Test(arguments: [1, 2, 3, 4] as [UInt64])
        func randomValuesRoundTripThroughRandomChunks(seed: UInt64) throws {
            var rng = SeededGenerator(seed: seed)
            let values = (0..<500).map { _ in Self.randomValue(&rng) }
            let wire = values.flatMap(\.encoded)
            var parser = RESPParser()
            var parsed: [RESPValue] = []
            var offset = 0
            while offset < wire.count {
                let end = min(wire.count, offset + Int.random(in: 1...64, using: &rng))
                parser.append(wire[offset..<end])
                while case .reply(let value)? = try parser.next() { parsed.append(value) }
                offset = end
            }
            #expect(parsed == values)
        }

        /// Mutated and random input never crashes, never hangs, and never holds more than the
        /// bytes it was given.
        @Test(arguments: [11, 12, 13, 14, 15, 16, 17, 18] as [UInt64])
        func mutatedInputNeverCrashes(seed: UInt64) {
            var rng = SeededGenerator(seed: seed)
            let interesting: [UInt8] = Array("+-:$*_#,(!=%~|>\r\n-1?0123456789".utf8)
            for _ in 0..<300 {
                var wire = (0..<20).flatMap { _ in Self.randomValue(&rng).encoded }
                for _ in 0..<Int.random(in: 1...6, using: &rng) where !wire.isEmpty {
                    let index = Int.random(in: 0..<wire.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: wire[index] = UInt8.random(in: 0...255, using: &rng)
                    case 1: wire[index] = interesting.randomElement(using: &rng)!
                    case 2: wire.remove(at: index)
                    default: wire.insert(interesting.randomElement(using: &rng)!, at: index)
                    }
                }
                var parser = RESPParser(limits: .init(maxBulkLength: 1 << 16, maxAggregateCount: 1 << 10, maxDepth: 16, maxLineLength: 256))
                var offset = 0
                feeding: while offset < wire.count {
                    let end = min(wire.count, offset + Int.random(in: 1...32, using: &rng))
                    parser.append(wire[offset..<end])
                    offset = end
                    do {
                        while try parser.next() != nil {}
                    } catch {
                        break feeding
                    }
                    #expect(parser.bufferedByteCount <= wire.count)
                }
            }
            for _ in 0..<2000 {
                let garbage = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in
                    Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
                }
                var parser = RESPParser()
                parser.append(garbage)
                while (try? parser.next()) != nil {}
            }
        }
    }
}
