import Testing

@testable import Taskiq

@Suite struct TraceParentTests {
    @Test func parsesAndFormatsTheSpecExample() throws {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let parent = try #require(TraceParent(header: header))
        #expect(parent.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.spanID.hex == "00f067aa0ba902b7")
        #expect(parent.isSampled)
        #expect(parent.header == header)
        #expect(TraceParent(header: "  \(header)\t")?.header == header)
        let unsampled = try #require(TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!unsampled.isSampled)
        #expect(unsampled.header.hasSuffix("-00"))
    }

    @Test func futureVersionsAreReadByTheirFirstFourFields() throws {
        let longer = try #require(TraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future-holds"))
        #expect(longer.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(longer.flags == 9)
        #expect(longer.header == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09")
        #expect(TraceParent(header: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") != nil)
    }

    @Test(arguments: [
        "",
        "00",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",  // short flags
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 with more
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",  // version 00 too long
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.future",  // future, no dash after flags
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace ID
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero span ID
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // bad hex
        "00-4bf92f3577b34da6a3ce929d0e0e47360-0f067aa0ba902b7-01",  // misplaced dash
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // wrong separators
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // bad version hex
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",  // bad flags hex
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u{0}",  // trailing NUL
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902é-01",  // non-ASCII
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-" + String(repeating: "x", count: 2000),
    ])
    func rejectsInvalidHeaders(_ header: String) {
        #expect(TraceParent(header: header) == nil)
    }

    @Test func idsAreRandomNonZeroAndRoundTrip() throws {
        var seen = Set<TraceID>()
        for _ in 0..<1000 {
            let trace = TraceID.random()
            let span = SpanID.random()
            #expect(TraceID(hex: trace.hex) == trace)
            #expect(SpanID(hex: span.hex) == span)
            #expect(trace.hex.utf8.count == 32 && span.hex.utf8.count == 16)
            seen.insert(trace)
        }
        #expect(seen.count == 1000)
        #expect(TraceID(high: 0, low: 0) == nil && SpanID(0) == nil)
        #expect(TraceID(high: 0, low: 1)?.hex == "00000000000000000000000000000001")
        #expect(TraceID(hex: "00000000000000000000000000000001") != nil)
        #expect(SpanID(hex: "abc") == nil)
    }
}
