import Testing

@testable import Taskiq

/// `"10/s"`-style limits parse to evenly spaced intervals; hostile text fails with a clear error.
@Suite struct RateLimitParsingTests {
    @Test(arguments: [
        ("10/s", 10, 1, 100_000), ("100/m", 100, 60, 600_000), ("5/h", 5, 3600, 720_000_000),
        ("1000/d", 1000, 86400, 86_400_000), (" 20 / sec ", 20, 1, 50_000), ("1/MINUTE", 1, 60, 60_000_000),
        ("1000000/s", 1_000_000, 1, 1),
    ])
    func validLimitsParse(text: String, count: Int, seconds: Int, interval: Int) throws {
        let limit = try RateLimit(parsing: text)
        #expect(limit.count == count)
        #expect(limit.periodSeconds == seconds)
        #expect(limit.intervalMicroseconds == interval)
        #expect(try RateLimit(parsing: limit.description) == limit)
    }

    @Test(arguments: [
        ("", RateLimitError.Code.malformed), ("10", .malformed), ("10/s/s", .malformed), ("/s", .badCount),
        ("0/s", .badCount), ("-1/s", .badCount), ("+1/s", .badCount), ("1e3/s", .badCount), ("1.5/s", .badCount),
        ("99999999999999999999999/s", .badCount), ("1000001/s", .badCount), ("10/", .badUnit),
        ("10/fortnight", .badUnit), ("10/ms", .badUnit), (String(repeating: "9", count: 10_000) + "/s", .malformed),
        ("١٠/s", .badCount),
    ])
    func hostileLimitsFailWithACode(text: String, code: RateLimitError.Code) {
        #expect {
            try RateLimit(parsing: text)
        } throws: { error in
            guard let error = error as? RateLimitError else { return false }
            return error.code == code && error.description.contains("expected, for example, \"10/s\"")
                && error.description.utf8.count < 300
        }
    }

    @Test func theInMemoryLimiterSpacesStartsByTheInterval() async throws {
        let limiter = InMemoryRateLimiter()
        let limit = try RateLimit(parsing: "2/s")
        #expect(try await limiter.acquire("a", limit: limit) == .zero)
        let wait = try await limiter.acquire("a", limit: limit)
        #expect(wait > .milliseconds(400) && wait <= .milliseconds(500), "\(wait)")
        #expect(try await limiter.acquire("b", limit: limit) == .zero, "keys are independent")
    }
}
