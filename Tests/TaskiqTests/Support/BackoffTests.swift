import TaskiqTestSupport
import Testing

@testable import Taskiq

/// The one backoff: exponential growth to a cap, then a relative spread drawn from a range.
@Suite struct BackoffTests {
    static let plain = Backoff.exponential(initial: .milliseconds(100), maximum: .seconds(5))

    @Test(arguments: [(0, 0), (1, 100), (2, 200), (3, 400), (6, 3200), (7, 5000), (100, 5000), (Int.max, 5000)])
    func delaysDoubleUpToTheCap(attempt: Int, milliseconds: Int) {
        #expect(Self.plain.delay(attempt: attempt) == .milliseconds(milliseconds))
        #expect(Self.plain.baseDelay(attempt: attempt) == .milliseconds(milliseconds))
    }

    @Test func roundDelaysStayRoundSoTheyPrintAsWritten() {
        #expect("\(Backoff.exponential(initial: .milliseconds(200), maximum: .seconds(5)).delay(attempt: 2))" == "0.4 seconds")
    }

    @Test(arguments: [
        (-0.5...0.0, 0.0, 0.5), (-0.5...0.0, 1.0, 1.0),  // up to half less
        (-0.1...0.1, 0.0, 0.9), (-0.1...0.1, 0.5, 1.0), (-0.1...0.1, 1.0, 1.1),  // ±10 %
        (0.0...0.5, 0.0, 1.0), (0.0...0.5, 1.0, 1.5),  // up to half more
        (-2.0...0.0, 0.0, 0.0),  // never negative
    ])
    func jitterPicksAPointOfItsRange(jitter: ClosedRange<Double>, unit: Double, factor: Double) {
        let backoff = Backoff.exponential(initial: .seconds(1), maximum: .seconds(8), jitter: jitter)
        let delay = backoff.delay(attempt: 2, jitterUnit: unit)
        #expect(abs(delay.inSeconds - 2 * factor) < 1e-6, "\(delay)")
    }

    @Test func randomJitterStaysInItsRangeAndSpreads() {
        let backoff = Backoff.exponential(initial: .milliseconds(100), maximum: .seconds(1), jitter: -0.5...0)
        var rng = SeededGenerator(seed: 3)
        for attempt in 1...20 {
            let full = min(1.0, 0.1 * Double(1 << min(attempt - 1, 20)))
            let delay = backoff.delay(attempt: attempt, using: &rng).inSeconds
            #expect(delay <= full + 1e-9 && delay >= full * 0.5 - 1e-9, "attempt \(attempt): \(delay)")
        }
        let delays = Set((0..<20).map { _ in backoff.delay(attempt: 3, using: &rng) })
        #expect(delays.count > 1)
    }

    @Test func aMultiplierOfOneIsAConstantDelayAndAZeroInitialNeverWaits() {
        let constant = Backoff.exponential(initial: .milliseconds(250), maximum: .seconds(5), multiplier: 1)
        #expect(constant.delay(attempt: 50) == .milliseconds(250))
        let none = Backoff.exponential(initial: .zero, maximum: .seconds(5))
        #expect(none.delay(attempt: 1000) == .zero)
    }
}
