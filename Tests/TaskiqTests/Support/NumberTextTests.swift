import Foundation
import Testing

@testable import Taskiq

/// ``NumberText`` prints exactly what `String(format:)` printed before it replaced it: the bench
/// and soak output it formats is parsed by `bench/sweep.sh`, `bench/compare.sh` and `sweep_results.py`.
@Suite struct NumberTextTests {
    static let values: [Double] = [
        0, -0.0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.005, 0.015, 0.025, 0.125, 0.375, 1.005, 2.675, 9.995, 99.95, 999.5,
        0.049999999, 0.05, 1e-7, -1e-7, 123_456.789, 170_123.4999, 1e15, 1e16 + 2, 123_456_789_012_345_680,
        1.7976931348623157e308, -1.7976931348623157e308, .leastNonzeroMagnitude, .nan, -.nan, .infinity, -.infinity,
        Double(Int64.max), Double(Int64.min), 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 100, 12.5, 0.999, 0.9999999,
    ]

    @Test(arguments: [0, 1, 2, 3])
    func fixedMatchesStringFormat(decimals: Int) {
        for value in Self.values {
            #expect(NumberText.fixed(value, decimals: decimals) == String(format: "%.\(decimals)f", value), "\(value)")
        }
    }

    @Test func paddedMatchesStringFormat() {
        for value in Self.values + [0, 7, 42, 100, 99.5, 1000] {
            #expect(NumberText.fixed(value, decimals: 0, width: 3) == String(format: "%3.0f", value), "\(value)")
            #expect(NumberText.fixed(value, decimals: 2, width: 10) == String(format: "%10.2f", value), "\(value)")
        }
    }

    @Test func generalMatchesStringFormat() {
        for value in Self.values + [1e5, 1e6, 123_456, 1_234_567, 0.0001, 0.00001, 2.5, 250, 1e-5, 12.0] {
            #expect(NumberText.general(value) == String(format: "%g", value), "\(value)")
        }
    }

    @Test func edgeCases() {
        #expect(NumberText.fixed(0.005, decimals: 2) == "0.01")  // the double is just above 0.005
        #expect(NumberText.fixed(0.125, decimals: 2) == "0.12")  // an exact tie rounds to even
        #expect(NumberText.fixed(-0.4, decimals: 0) == "-0")
        #expect(NumberText.fixed(.nan, decimals: 2) == "nan")
        #expect(NumberText.fixed(-.infinity, decimals: 1, width: 6) == "  -inf")
        #expect(NumberText.fixed(1.7976931348623157e308, decimals: 2).count == 312)
        #expect(NumberText.fixed(1, decimals: -3) == "1")  // clamped
        #expect(NumberText.fixed(1, decimals: 1000).count == 42)  // 40 decimals at most
        #expect(NumberText.fixed(1, decimals: 0, width: 100_000).count == 400)
    }
}
