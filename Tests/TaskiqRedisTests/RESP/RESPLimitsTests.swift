import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// The RESP reply caps at their boundary: exactly at the cap is accepted, one over fails with a
/// reason naming the cap.
@Suite struct RESPLimitsTests {
    @Test(arguments: [("$", 1024), ("*", 16)])
    func respCapsAtTheBoundary(_ type: String, _ cap: Int) throws {
        func reply(_ n: Int) -> [UInt8] {
            type == "$"
                ? Array("$\(n)\r\n\(String(repeating: "x", count: n))\r\n".utf8)
                : Array(("*\(n)\r\n" + String(repeating: ":1\r\n", count: n)).utf8)
        }
        let limits = RESPParser.Limits(maxBulkLength: 1024, maxAggregateCount: 16)
        var atCap = RESPParser(limits: limits)
        atCap.append(reply(cap))
        #expect(try atCap.next() != nil)
        var over = RESPParser(limits: limits)
        over.append(reply(cap + 1))
        let error = #expect(throws: RESPProtocolError.self) { try over.next() }
        #expect(error?.description.contains("limit of \(cap)") == true, "\(error.map { "\($0)" } ?? "")")
    }
}
