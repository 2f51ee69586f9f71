/// One typed value of a field table or array, in the RabbitMQ dialect of AMQP 0-9-1 (the one
/// pamqp and the server use): every type octet `t b B s u I i l L f d D S x A T F V`.
///
/// Each case keeps its wire type, so a decoded table re-encodes to the same bytes.
package enum AMQPFieldValue: Sendable, Equatable {
    /// `t`: a boolean octet.
    case bool(Bool)
    /// `b`: a signed 8-bit integer.
    case int8(Int8)
    /// `B`: an unsigned 8-bit integer.
    case uint8(UInt8)
    /// `s`: a signed 16-bit integer.
    case int16(Int16)
    /// `u`: an unsigned 16-bit integer.
    case uint16(UInt16)
    /// `I`: a signed 32-bit integer.
    case int32(Int32)
    /// `i`: an unsigned 32-bit integer.
    case uint32(UInt32)
    /// `l`: a signed 64-bit integer (RabbitMQ's counts, `x-delivery-count`).
    case int64(Int64)
    /// `L`: a 64-bit integer read unsigned.
    case uint64(UInt64)
    /// `f`: an IEEE 754 single.
    case float(Float)
    /// `d`: an IEEE 754 double.
    case double(Double)
    /// `D`: a decimal, `value × 10^-scale`.
    case decimal(scale: UInt8, value: Int32)
    /// `S`: a long string (bytes, usually UTF-8).
    case longString([UInt8])
    /// `x`: a byte array.
    case bytes([UInt8])
    /// `A`: an array of typed values (`x-death` is an array of tables).
    case array([AMQPFieldValue])
    /// `T`: a timestamp in seconds since the epoch.
    case timestamp(UInt64)
    /// `F`: a nested table.
    case table(AMQPFieldTable)
    /// `V`: no value.
    case void

    /// A long string holding `text` as UTF-8.
    package static func string(_ text: String) -> AMQPFieldValue { .longString(Array(text.utf8)) }

    /// The type octet written before the value.
    package var typeOctet: UInt8 {
        switch self {
        case .bool: UInt8(ascii: "t")
        case .int8: UInt8(ascii: "b")
        case .uint8: UInt8(ascii: "B")
        case .int16: UInt8(ascii: "s")
        case .uint16: UInt8(ascii: "u")
        case .int32: UInt8(ascii: "I")
        case .uint32: UInt8(ascii: "i")
        case .int64: UInt8(ascii: "l")
        case .uint64: UInt8(ascii: "L")
        case .float: UInt8(ascii: "f")
        case .double: UInt8(ascii: "d")
        case .decimal: UInt8(ascii: "D")
        case .longString: UInt8(ascii: "S")
        case .bytes: UInt8(ascii: "x")
        case .array: UInt8(ascii: "A")
        case .timestamp: UInt8(ascii: "T")
        case .table: UInt8(ascii: "F")
        case .void: UInt8(ascii: "V")
        }
    }

    /// The value as text when it is a UTF-8 long string.
    package var stringValue: String? {
        guard case .longString(let bytes) = self else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The value as an integer when it is any integer type that fits `Int64`.
    package var integerValue: Int64? {
        switch self {
        case .int8(let v): Int64(v)
        case .uint8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .uint16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .uint32(let v): Int64(v)
        case .int64(let v): v
        case .uint64(let v): Int64(exactly: v)
        default: nil
        }
    }

    /// Floats compare by bit pattern, so a decoded NaN equals itself and re-encoding checks hold.
    package static func == (lhs: AMQPFieldValue, rhs: AMQPFieldValue) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): a == b
        case (.int8(let a), .int8(let b)): a == b
        case (.uint8(let a), .uint8(let b)): a == b
        case (.int16(let a), .int16(let b)): a == b
        case (.uint16(let a), .uint16(let b)): a == b
        case (.int32(let a), .int32(let b)): a == b
        case (.uint32(let a), .uint32(let b)): a == b
        case (.int64(let a), .int64(let b)): a == b
        case (.uint64(let a), .uint64(let b)): a == b
        case (.float(let a), .float(let b)): a.bitPattern == b.bitPattern
        case (.double(let a), .double(let b)): a.bitPattern == b.bitPattern
        case (.decimal(let s1, let v1), .decimal(let s2, let v2)): s1 == s2 && v1 == v2
        case (.longString(let a), .longString(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.timestamp(let a), .timestamp(let b)): a == b
        case (.table(let a), .table(let b)): a == b
        case (.void, .void): true
        default: false
        }
    }
}
