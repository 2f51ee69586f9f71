import Taskiq

/// Encodes Redis commands as RESP arrays of bulk strings into one reusable byte buffer.
///
/// ```swift
/// var encoder = RESPCommandEncoder()
/// encoder.encode(["SET", "key", bytes])
/// encoder.encode(["GET", "key"])        // pipelined: both commands, one write
/// socket.write(encoder.bytes)
/// encoder.removeAll()                   // keeps the capacity for the next batch
/// ```
package struct RESPCommandEncoder: Sendable {
    /// The encoded commands, ready to write.
    package private(set) var bytes: [UInt8]

    /// Creates an empty encoder.
    /// - Parameter capacity: Bytes to reserve up front.
    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one command: `*<n>\r\n` then each argument as `$<len>\r\n<bytes>\r\n`.
    /// - Parameter arguments: The command name and its arguments.
    package mutating func encode(_ arguments: [any RESPArgument]) {
        appendHeader(UInt8(ascii: "*"), arguments.count)
        for argument in arguments { argument.encodeArgument(into: &self) }
    }

    /// Empties the buffer, keeping its storage.
    package mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Swaps the encoded bytes out for `other`'s storage, which is emptied first, so two
    /// buffers can alternate between encoding and writing without reallocating.
    package mutating func swapBytes(with other: inout [UInt8]) {
        other.removeAll(keepingCapacity: true)
        swap(&bytes, &other)
    }

    /// Appends one bulk string.
    package mutating func appendBulk(_ payload: UnsafeBufferPointer<UInt8>) {
        appendHeader(UInt8(ascii: "$"), payload.count)
        bytes.append(contentsOf: payload)
        bytes.append(13)
        bytes.append(10)
    }

    /// Appends one bulk string holding a decimal integer.
    package mutating func appendBulk(integer: Int64) {
        var digits: [UInt8] = []
        Self.appendDecimal(integer, to: &digits)
        digits.withUnsafeBufferPointer { appendBulk($0) }
    }

    private mutating func appendHeader(_ type: UInt8, _ count: Int) {
        bytes.append(type)
        Self.appendDecimal(Int64(count), to: &bytes)
        bytes.append(13)
        bytes.append(10)
    }

    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            bytes.append(48 + UInt8(magnitude))
            return
        }
        var reversed:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &reversed) { digits in
            while magnitude > 0 {
                digits[count] = 48 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(digits[index]) }
        }
    }
}
