/// Appends AMQP values (big-endian integers, strings, tables, packed bits) to a byte buffer.
package struct AMQPByteWriter {
    /// What was written so far.
    package var bytes: [UInt8]

    /// An empty writer, or one that continues `bytes`.
    package init(_ bytes: [UInt8] = []) { self.bytes = bytes }

    /// One octet.
    package mutating func write(_ value: UInt8) { bytes.append(value) }

    /// A big-endian 16-bit integer.
    package mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// A big-endian 32-bit integer.
    package mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// A big-endian 64-bit integer.
    package mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Bits packed into octets, the first into the lowest bit; a new octet every eight.
    package mutating func writeBits(_ bits: Bool...) {
        var octet: UInt8 = 0
        for (index, bit) in bits.enumerated() {
            if index > 0, index % 8 == 0 {
                bytes.append(octet)
                octet = 0
            }
            if bit { octet |= 1 << UInt8(index % 8) }
        }
        bytes.append(octet)
    }

    /// A short string, truncated to 255 bytes at a character boundary if longer
    /// (callers validate names beforehand; see ``AMQPByteWriter/isShortString(_:)``).
    package mutating func writeShortString(_ value: String) {
        var utf8 = Array(value.utf8)
        if utf8.count > 255 {
            utf8 = Array(utf8.prefix(255))
            while let last = utf8.last, last & 0xC0 == 0x80 { utf8.removeLast() }
            if let last = utf8.last, last >= 0xC0 { utf8.removeLast() }
        }
        bytes.append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Whether `value` fits a short string (at most 255 UTF-8 bytes).
    package static func isShortString(_ value: String) -> Bool { value.utf8.count <= 255 }

    /// A long string: a 32-bit length, then the bytes.
    package mutating func writeLongString(_ value: [UInt8]) {
        write(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    /// A field table; entries in their stored order.
    package mutating func writeTable(_ table: AMQPFieldTable) {
        let lengthAt = bytes.count
        write(UInt32(0))
        for entry in table.entries {
            writeShortString(entry.key)
            writeFieldValue(entry.value)
        }
        patchLength(at: lengthAt)
    }

    /// A type octet and the value in that type's layout.
    package mutating func writeFieldValue(_ value: AMQPFieldValue) {
        write(value.typeOctet)
        switch value {
        case .bool(let v): write(UInt8(v ? 1 : 0))
        case .int8(let v): write(UInt8(bitPattern: v))
        case .uint8(let v): write(v)
        case .int16(let v): write(UInt16(bitPattern: v))
        case .uint16(let v): write(v)
        case .int32(let v): write(UInt32(bitPattern: v))
        case .uint32(let v): write(v)
        case .int64(let v): write(UInt64(bitPattern: v))
        case .uint64(let v): write(v)
        case .float(let v): write(v.bitPattern)
        case .double(let v): write(v.bitPattern)
        case .decimal(let scale, let v):
            write(scale)
            write(UInt32(bitPattern: v))
        case .longString(let v), .bytes(let v): writeLongString(v)
        case .timestamp(let v): write(v)
        case .void: break
        case .table(let table): writeTable(table)
        case .array(let items):
            let lengthAt = bytes.count
            write(UInt32(0))
            for item in items { writeFieldValue(item) }
            patchLength(at: lengthAt)
        }
    }

    private mutating func patchLength(at index: Int) {
        let length = UInt32(truncatingIfNeeded: bytes.count - index - 4)
        bytes[index] = UInt8(truncatingIfNeeded: length >> 24)
        bytes[index + 1] = UInt8(truncatingIfNeeded: length >> 16)
        bytes[index + 2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[index + 3] = UInt8(truncatingIfNeeded: length)
    }
}
