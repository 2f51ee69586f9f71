/// A bounds-checked cursor over one frame's payload: every read checks the remaining length
/// first and throws ``AMQPProtocolError`` instead of trapping.
package struct AMQPByteReader {
    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    package private(set) var offset: Int
    private let end: Int
    /// The deepest table/array nesting accepted; deeper input is refused before it can
    /// exhaust the stack.
    package static let maxDepth = 32

    /// A reader over `bytes[range]`.
    package init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? bytes.indices
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    /// Bytes left to read.
    package var remaining: Int { end - offset }

    /// Throws `trailingBytes` unless everything was read.
    package func expectEnd(_ what: @autoclosure () -> String) throws(AMQPProtocolError) {
        if offset != end {
            throw AMQPProtocolError(.trailingBytes, offset: offset, "\(end - offset) unexpected bytes after \(what())")
        }
    }

    private mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(AMQPProtocolError) -> Range<Int> {
        guard count >= 0, count <= end - offset else {
            throw AMQPProtocolError(
                .truncated, offset: offset,
                "\(what()) needs \(count) bytes but only \(end - offset) remain")
        }
        defer { offset += count }
        return offset..<(offset + count)
    }

    /// One octet.
    package mutating func readUInt8(_ what: @autoclosure () -> String = "an octet") throws(AMQPProtocolError) -> UInt8 {
        bytes[try take(1, what()).lowerBound]
    }

    /// A big-endian 16-bit integer.
    package mutating func readUInt16(_ what: @autoclosure () -> String = "a short") throws(AMQPProtocolError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readBigEndian(2, what()))
    }

    /// A big-endian 32-bit integer.
    package mutating func readUInt32(_ what: @autoclosure () -> String = "a long") throws(AMQPProtocolError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readBigEndian(4, what()))
    }

    /// A big-endian 64-bit integer.
    package mutating func readUInt64(_ what: @autoclosure () -> String = "a long long") throws(AMQPProtocolError) -> UInt64 {
        try readBigEndian(8, what())
    }

    private mutating func readBigEndian(_ count: Int, _ what: @autoclosure () -> String) throws(AMQPProtocolError) -> UInt64 {
        let range = try take(count, what())
        var value: UInt64 = 0
        for index in range { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// `count` raw bytes.
    package mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String) throws(AMQPProtocolError) -> [UInt8] {
        Array(bytes[try take(count, what())])
    }

    /// A short string: an octet length, then that many UTF-8 bytes.
    package mutating func readShortString(_ what: @autoclosure () -> String = "a short string") throws(AMQPProtocolError) -> String {
        let start = offset
        let length = Int(try readUInt8("the length of \(what())"))
        let range = try take(length, what())
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw AMQPProtocolError(.invalidUTF8, offset: start, "\(what()) is not UTF-8")
        }
        return text
    }

    /// A long string: a 32-bit length, then that many bytes (binary-safe).
    package mutating func readLongString(_ what: @autoclosure () -> String = "a long string") throws(AMQPProtocolError) -> [UInt8] {
        let length = Int(try readUInt32("the length of \(what())"))
        return Array(bytes[try take(length, what())])
    }

    /// A field table: a 32-bit byte length, then (short string name, typed value) pairs.
    package mutating func readTable(_ what: @autoclosure () -> String = "a table", depth: Int = 0) throws(AMQPProtocolError)
        -> AMQPFieldTable
    {
        guard depth < Self.maxDepth else {
            throw AMQPProtocolError(.nestingTooDeep, offset: offset, "tables and arrays nest deeper than \(Self.maxDepth)")
        }
        let length = Int(try readUInt32("the length of \(what())"))
        let range = try take(length, what())
        var inner = AMQPByteReader(bytes, range: range)
        var entries: [AMQPFieldTable.Entry] = []
        while inner.remaining > 0 {
            let key = try inner.readShortString("a field name in \(what())")
            let value = try inner.readFieldValue("field '\(key)'", depth: depth + 1)
            entries.append(AMQPFieldTable.Entry(key: key, value: value))
        }
        return AMQPFieldTable(entries: entries)
    }

    /// One typed field value: a type octet, then the value in that type's layout.
    package mutating func readFieldValue(_ what: @autoclosure () -> String, depth: Int) throws(AMQPProtocolError) -> AMQPFieldValue {
        let start = offset
        let type = try readUInt8("the type of \(what())")
        switch type {
        case UInt8(ascii: "t"): return .bool(try readUInt8(what()) != 0)
        case UInt8(ascii: "b"): return .int8(Int8(bitPattern: try readUInt8(what())))
        case UInt8(ascii: "B"): return .uint8(try readUInt8(what()))
        case UInt8(ascii: "s"): return .int16(Int16(bitPattern: try readUInt16(what())))
        case UInt8(ascii: "u"): return .uint16(try readUInt16(what()))
        case UInt8(ascii: "I"): return .int32(Int32(bitPattern: try readUInt32(what())))
        case UInt8(ascii: "i"): return .uint32(try readUInt32(what()))
        case UInt8(ascii: "l"): return .int64(Int64(bitPattern: try readUInt64(what())))
        case UInt8(ascii: "L"): return .uint64(try readUInt64(what()))
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readUInt32(what())))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readUInt64(what())))
        case UInt8(ascii: "D"):
            let scale = try readUInt8("the scale of \(what())")
            return .decimal(scale: scale, value: Int32(bitPattern: try readUInt32(what())))
        case UInt8(ascii: "S"): return .longString(try readLongString(what()))
        case UInt8(ascii: "x"): return .bytes(try readLongString(what()))
        case UInt8(ascii: "T"): return .timestamp(try readUInt64(what()))
        case UInt8(ascii: "V"): return .void
        case UInt8(ascii: "F"): return .table(try readTable(what(), depth: depth))
        case UInt8(ascii: "A"):
            guard depth < Self.maxDepth else {
                throw AMQPProtocolError(.nestingTooDeep, offset: start, "tables and arrays nest deeper than \(Self.maxDepth)")
            }
            let length = Int(try readUInt32("the length of \(what())"))
            var inner = AMQPByteReader(bytes, range: try take(length, what()))
            var items: [AMQPFieldValue] = []
            while inner.remaining > 0 {
                items.append(try inner.readFieldValue("item \(items.count) of \(what())", depth: depth + 1))
            }
            return .array(items)
        default:
            throw AMQPProtocolError(
                .unknownFieldType, offset: start,
                "\(what()) has type octet 0x\(String(type, radix: 16)), which is not one of t b B s u I i l L f d D S x A T F V")
        }
    }
}
