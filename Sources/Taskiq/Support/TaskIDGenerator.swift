import Synchronization

/// Produces the `task_id` of each message a producer sends.
///
/// ```swift
/// let broker = InMemoryBroker(idGenerator: .uuid7)
/// let id = TaskIDGenerator.uuid4()   // "3f2b8c1e9d0a4b7e8f6a5c4d3e2b1a09"
/// ```
/// The default, ``uuid4``, matches Python taskiq (`uuid4().hex`). ``uuid7`` gives ids that
/// sort by creation time, which keeps database indexes and Redis streams tidy.
public struct TaskIDGenerator: Sendable {
    private let generate: @Sendable () -> String

    /// Creates a generator from a function.
    /// - Parameter generate: Returns a new, unique id each call; called concurrently.
    public init(_ generate: @escaping @Sendable () -> String) {
        self.generate = generate
    }

    /// Returns a new id.
    public func callAsFunction() -> String {
        generate()
    }

    /// Random version-4 UUIDs as 32 lower-case hex digits without dashes (taskiq's default).
    public static let uuid4 = TaskIDGenerator { UUIDBytes.random4().hex(dashed: false) }

    /// Random version-4 UUIDs in the canonical 36-character lower-case form with dashes.
    public static let uuid4Dashed = TaskIDGenerator { UUIDBytes.random4().hex(dashed: true) }

    /// Time-ordered version-7 UUIDs (RFC 9562) as 32 lower-case hex digits without dashes.
    ///
    /// The first 48 bits are the Unix time in milliseconds, so ids sort by creation time.
    /// Within one process ids are strictly increasing: `rand_a` holds a counter that starts
    /// at a random value each millisecond and is incremented for every id in the same
    /// millisecond (RFC 9562 §6.2, method 1). If the counter overflows, or the clock steps
    /// back, the timestamp is advanced past the last one issued rather than repeating.
    /// Ids from different processes are ordered only to the millisecond.
    public static let uuid7 = TaskIDGenerator { UUIDv7Clock.shared.next().hex(dashed: false) }

    /// A generator backed by your own function.
    /// - Parameter generate: Returns a new, unique id each call; called concurrently.
    public static func custom(_ generate: @escaping @Sendable () -> String) -> TaskIDGenerator {
        TaskIDGenerator(generate)
    }
}

/// Sixteen UUID bytes as two big-endian words.
struct UUIDBytes: Sendable, Equatable {
    var high: UInt64
    var low: UInt64

    static func random4() -> UUIDBytes {
        let (high, low) = RandomBuffer.shared.nextPair()
        return UUIDBytes(
            high: (high & ~0xF000) | 0x4000,
            low: (low & ~(0xC000_0000_0000_0000 as UInt64)) | 0x8000_0000_0000_0000)
    }

    var version: Int { Int((high >> 12) & 0xF) }
    var variant: Int { Int(low >> 62) }

    func hex(dashed: Bool) -> String {
        String(unsafeUninitializedCapacity: dashed ? 36 : 32) { buffer in
            var position = 0
            func put(_ word: UInt64, nibbleOffset: Int) {
                for shift in stride(from: 60, through: 0, by: -4) {
                    let nibble = Int(nibbleOffset + (60 - shift) / 4)
                    if dashed, nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let digit = UInt8((word >> UInt64(shift)) & 0xF)
                    buffer[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    position += 1
                }
            }
            put(high, nibbleOffset: 0)
            put(low, nibbleOffset: 16)
            return position
        }
    }
}

/// The per-process state that keeps ``TaskIDGenerator/uuid7`` ids strictly increasing.
final class UUIDv7Clock: Sendable {
    static let shared = UUIDv7Clock()

    private struct State {
        var millisecond: UInt64 = 0
        var counter: UInt64 = 0
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> UInt64

    init(now: @escaping @Sendable () -> UInt64 = UUIDv7Clock.unixMilliseconds) {
        self.now = now
    }

    func next() -> UUIDBytes {
        var generator = SystemRandomNumberGenerator()
        let random = generator.next() as UInt64
        let (millisecond, counter) = state.withLock { state -> (UInt64, UInt64) in
            let current = now()
            if current > state.millisecond {
                state.millisecond = current
                // Start in the lower half so at least 2048 ids fit in the millisecond.
                state.counter = random >> 53
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                state.millisecond += 1
                state.counter = 0
            }
            return (state.millisecond, state.counter)
        }
        let randomB = generator.next() as UInt64
        return UUIDBytes(
            high: (millisecond & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | counter,
            low: (randomB & ~(0xC000_0000_0000_0000 as UInt64)) | 0x8000_0000_0000_0000)
    }

    @Sendable static func unixMilliseconds() -> UInt64 { WallClock.unixMilliseconds() }
}
