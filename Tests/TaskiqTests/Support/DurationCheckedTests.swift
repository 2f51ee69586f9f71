import Foundation
import Testing

@testable import Taskiq

/// The one conversion every duration from a message, a task argument or a config goes through:
/// values `Duration.seconds(_:)` or `Task.sleep` would trap on are refused (or clamped) instead.
@Suite struct DurationCheckedTests {
    @Test(arguments: [1e21, 1.7e20, 1e19, 1e10, Double.greatestFiniteMagnitude, 1e9 + 1])
    func tooLongIsRefused(_ seconds: Double) {
        #expect(throws: DurationRangeError(.tooLong, what: "x", value: "\(seconds)")) {
            try Duration.checkedSeconds(seconds, of: "x")
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, .signalingNaN])
    func notFiniteIsRefused(_ seconds: Double) {
        #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(seconds, of: "x") }
        #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(seconds, of: "x", positive: true) }
    }

    @Test func negativesAndZero() throws {
        #expect(throws: DurationRangeError(.notPositive, what: "x", value: "-1.0")) {
            try Duration.checkedSeconds(-1.0, of: "x")
        }
        #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(-Double.leastNonzeroMagnitude, of: "x") }
        #expect(try Duration.checkedSeconds(0.0, of: "x") == .zero)
        #expect(throws: DurationRangeError(.notPositive, what: "x", value: "0.0")) {
            try Duration.checkedSeconds(0.0, of: "x", positive: true)
        }
    }

    @Test func wholeSeconds() throws {
        #expect(throws: DurationRangeError(.tooLong, what: "x", value: "\(Int.max)")) {
            try Duration.checkedSeconds(Int.max, of: "x")
        }
        #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(Int.min, of: "x") }
        #expect(try Duration.checkedSeconds(5, of: "x") == .seconds(5))
        #expect(try Duration.checkedSeconds(1_000_000_000, of: "x") == .seconds(1_000_000_000))
    }

    @Test func theMaximumIsAcceptedAndCanBeSleptOnAndAddedToNow() async throws {
        let longest = try Duration.checkedSeconds(Duration.maximumCheckedSeconds, of: "x")
        #expect(longest == .seconds(1_000_000_000))
        _ = ContinuousClock.now + longest
        _ = SuspendingClock.now + longest
        // A sleep of the longest duration starts (and is cancelled) without trapping.
        let sleeper = Task { try await Task.sleep(for: longest) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(try Duration.checkedSeconds(0.05, of: "x") == .milliseconds(50))
    }

    @Test func labelValues() throws {
        #expect(try Duration.checkedSeconds(JSONValue.string(" 2.5 "), of: "x") == .milliseconds(2500))
        #expect(try Duration.checkedSeconds(JSONValue.int(3), of: "x") == .seconds(3))
        #expect(throws: DurationRangeError(.tooLong, what: "timeout label", value: #""1e300""#)) {
            try Duration.checkedSeconds(JSONValue.string("1e300"), of: "timeout label")
        }
        #expect(throws: DurationRangeError(.tooLong, what: "x", value: "9223372036854775807")) {
            try Duration.checkedSeconds(JSONValue.int(Int.max), of: "x")
        }
        #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(JSONValue.string("nan"), of: "x") }
        let text = #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(JSONValue.string("soon"), of: "x") }
        #expect(text?.code == .notANumber)
        #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(JSONValue.bool(true), of: "x") }
    }

    /// A label that reads as a non-finite double (`1e400`, Python's `Infinity` and `NaN`) is named
    /// as that number in the error, not as the `null` JSON would write it.
    @Test func nonFiniteLabelsAreNamedAsNumbers() throws {
        let labels = try JSONParser(allowNonFinite: true).parse(Array(#"[1e400, -1e400, Infinity, NaN]"#.utf8))
        let named = try #require(labels.arrayValue).map { value in
            (#expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(value, of: "timeout label") })?.description
        }
        #expect(
            named
                == [
                    "timeout label Infinity is not finite", "timeout label -Infinity is not finite",
                    "timeout label Infinity is not finite", "timeout label NaN is not finite",
                ].map { "\($0): expected a number of seconds up to 1000000000 (about 31.7 years)" })
    }

    /// Integers beyond `Double`'s range (Python sends any size) read as too long or not positive.
    @Test func integersBeyondDoubleAreTooLongOrNotPositive() throws {
        let huge = try #require(JSONBigInteger(String(repeating: "9", count: 400)))
        let tooLong = #expect(throws: DurationRangeError.self) { try Duration.checkedSeconds(JSONValue.bigInteger(huge), of: "x") }
        #expect(tooLong?.code == .tooLong)
        let negative = try #require(JSONBigInteger("-" + String(repeating: "9", count: 400)))
        let notPositive = #expect(throws: DurationRangeError.self) {
            try Duration.checkedSeconds(JSONValue.bigInteger(negative), of: "x", positive: true)
        }
        #expect(notPositive.map { $0.code != .notANumber && $0.code != .tooLong } == true)
        #expect(BrokerMessage.delay(.bigInteger(huge)) == .seconds(1_000_000_000))
        #expect(BrokerMessage.delay(.bigInteger(negative)) == nil)
    }

    @Test func errorsSayWhatWhyAndTheLimit() {
        let error = DurationRangeError(.tooLong, what: "timeout label", value: "1e+21")
        #expect(error.description == "timeout label 1e+21 is too long: expected a number of seconds up to 1000000000 (about 31.7 years)")
    }

    @Test func clampingForDelays() {
        #expect(Duration.clampedSeconds(1e21) == .seconds(1_000_000_000))
        #expect(Duration.clampedSeconds(.infinity) == .seconds(1_000_000_000))
        #expect(Duration.clampedSeconds(.greatestFiniteMagnitude) == .seconds(1_000_000_000))
        #expect(Duration.clampedSeconds(.nan) == nil)
        #expect(Duration.clampedSeconds(-1) == nil)
        #expect(Duration.clampedSeconds(1.5) == .milliseconds(1500))
        #expect(BrokerMessage.delay(.string("1e300")) == .seconds(1_000_000_000))
        #expect(BrokerMessage.delay(.double(1e21)) == .seconds(1_000_000_000))
        #expect(BrokerMessage.delay(.int(Int.max)) == .seconds(1_000_000_000))
        #expect(BrokerMessage.delay(.string("-1")) == nil)
        #expect(BrokerMessage.delay(.int(0)) == nil)
    }

    /// A schedule's time far in the future (from a schedule source anyone can write to) is slept
    /// towards in slices, never converted to a duration that traps.
    @Test(arguments: [1e300, 1e20, Date.distantFuture.timeIntervalSince1970])
    func theSchedulerClockSleepsTowardsAnyFutureTime(_ seconds: Double) async throws {
        let clock = SystemSchedulerClock(maximumSlice: .milliseconds(10))
        let sleeper = Task { try await clock.sleep(until: Date(timeIntervalSince1970: seconds)) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    /// The one Duration-to-milliseconds conversion rounds toward zero and saturates: a Redis
    /// `PX` argument or a poll timeout built from any duration never traps.
    @Test func wholeMillisecondsRoundTowardZeroAndSaturate() {
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.microseconds(1999).wholeMilliseconds == 1)
        #expect(Duration.microseconds(-1999).wholeMilliseconds == -1)
        #expect(Duration.seconds(Int64.max).wholeMilliseconds == Int.max)
        #expect(Duration.seconds(Int64.min).wholeMilliseconds == Int.min)
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
    }
}
