import TaskiqRabbitMQ
import Testing

@Suite struct AMQPFieldTableTests {
    /// Every type octet of the RabbitMQ dialect, with its wire bytes after the key.
    static let typedValues: [(AMQPFieldValue, [UInt8])] = [
        (.bool(true), hex("74 01")), (.int8(-2), hex("62 fe")), (.uint8(200), hex("42 c8")),
        (.int16(-2), hex("73 fffe")), (.uint16(65535), hex("75 ffff")), (.int32(-2), hex("49 fffffffe")),
        (.uint32(4_000_000_000), hex("69 ee6b2800")), (.int64(1), hex("6c 0000000000000001")),
        (.uint64(.max), hex("4c ffffffffffffffff")), (.float(1.5), hex("66 3fc00000")),
        (.double(-0.25), hex("64 bfd0000000000000")), (.decimal(scale: 2, value: 12345), hex("44 02 00003039")),
        (.string("hé"), hex("53 00000003 68c3a9")), (.bytes([0, 0xff]), hex("78 00000002 00ff")),
        (.timestamp(1_764_892_800), hex("54 0000000069322080")), (.void, hex("56")),
        (.array([.int64(1), .string("a")]), hex("41 0000000f 6c0000000000000001 53 00000001 61")),
        (.table(["k": .bool(false)]), hex("46 00000004 01 6b 74 00")),
    ]

    @Test func everyTypeEncodesAndDecodes() throws {
        for (value, wire) in Self.typedValues {
            var writer = AMQPByteWriter()
            writer.writeTable(["v": value])
            let expected = hex("00000000") + [1, UInt8(ascii: "v")] + wire
            var lengthPatched = expected
            let length = UInt32(expected.count - 4)
            lengthPatched[0...3] = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            #expect(writer.bytes == lengthPatched, "\(value)")
            var reader = AMQPByteReader(writer.bytes)
            #expect(try reader.readTable() == ["v": value])
            #expect(reader.remaining == 0)
        }
    }

    /// What RabbitMQ adds to a dead-lettered message: `x-death` as an array of tables.
    @Test func xDeathArrayOfTablesRoundTrips() throws {
        let death: AMQPFieldTable = [
            "count": .int64(1), "reason": .string("expired"), "queue": .string("taskiq.delay"),
            "time": .timestamp(1_764_892_800), "exchange": .string(""), "routing-keys": .array([.string("taskiq.delay")]),
            "original-expiration": .string("2000"),
        ]
        let headers: AMQPFieldTable = [
            "x-death": .array([.table(death)]), "x-first-death-reason": .string("expired"), "x-delivery-count": .int64(1),
        ]
        var writer = AMQPByteWriter()
        writer.writeTable(headers)
        var reader = AMQPByteReader(writer.bytes)
        let decoded = try reader.readTable()
        #expect(decoded == headers)
        guard case .array(let deaths)? = decoded["x-death"], case .table(let first)? = deaths.first else {
            Issue.record("x-death is not an array of tables")
            return
        }
        #expect(first["reason"]?.stringValue == "expired")
        #expect(decoded["x-delivery-count"]?.integerValue == 1)
    }

    @Test func sortedOrdersKeysAsPamqp() {
        let table: AMQPFieldTable = ["x-queue-type": .string("quorum"), "x-dead-letter-exchange": .string("")]
        #expect(table.sorted().entries.map(\.key) == ["x-dead-letter-exchange", "x-queue-type"])
    }

    @Test(arguments: [
        ("unknown type", hex("00000003 01 6b 5a"), AMQPProtocolError.Code.unknownFieldType),
        ("length past end", hex("000000ff 01 6b"), .truncated),
        ("value past end", hex("00000004 01 6b 6c 00"), .truncated),
        ("string length past table", hex("0000000a 01 6b 53 ffffffff 0000"), .truncated),
        ("key not UTF-8", hex("00000004 01 ff 56 00"), .invalidUTF8),
        ("array length past end", hex("00000007 01 6b 41 00000010"), .truncated),
    ])
    func garbageIsAClearError(_ name: String, _ bytes: [UInt8], _ code: AMQPProtocolError.Code) {
        var reader = AMQPByteReader(bytes)
        let error = #expect(throws: AMQPProtocolError.self, "\(name)") { try reader.readTable() }
        #expect(error?.code == code, "\(name): \(String(describing: error))")
    }

    @Test func deepNestingIsRefusedNotAStackOverflow() {
        // 1000 arrays nested in one another, each holding the next.
        var value: [UInt8] = hex("41 00000000")
        for _ in 0..<1000 {
            let length = UInt32(value.count)
            value = [0x41, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + value
        }
        let entry = [1, UInt8(ascii: "k")] + value
        let length = UInt32(entry.count)
        let table = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + entry
        var reader = AMQPByteReader(table)
        let error = #expect(throws: AMQPProtocolError.self) { try reader.readTable() }
        #expect(error?.code == .nestingTooDeep)
    }
}
