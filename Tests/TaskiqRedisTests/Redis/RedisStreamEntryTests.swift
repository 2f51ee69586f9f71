import Testing

@testable import Taskiq
@testable import TaskiqRedis

/// Delivery counts come from the socket and reach arithmetic: they are clamped where read.
@Suite struct RedisStreamEntryTests {
    @Test(arguments: [(Int64.max, RedisStreamEntry.maximumDeliveryCount), (Int64.min, 0), (-1, 0), (0, 0), (7, 7)])
    func deliveryCountsAreClampedWhereRead(reply: Int64, count: Int) {
        #expect(RedisStreamEntry.deliveryCount(.integer(reply)) == count)
    }

    @Test func theLargestCountsStillAddUp() throws {
        var entry = try #require(
            RedisStreamEntry(
                .array([
                    .bulkString(Array("1-1".utf8)),
                    .array([
                        .bulkString(Array("data".utf8)), .bulkString(Array("{}".utf8)),
                        .bulkString(Array(RedisStreamEntry.deliveriesField.utf8)), .bulkString(Array("999999999".utf8)),
                    ]),
                ])))
        entry.deliveries = try #require(RedisStreamEntry.deliveryCount(.integer(.max))) + 1
        #expect(entry.totalDeliveries == RedisStreamEntry.maximumDeliveryCount + 1 + 999_999_999)
    }
}
