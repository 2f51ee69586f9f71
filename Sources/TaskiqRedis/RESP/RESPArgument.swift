import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A value that can be sent as one argument of a Redis command (one bulk string).
///
/// Strings are sent as UTF-8, byte arrays and `Data` as they are, integers and doubles in
/// decimal (doubles as Redis parses them, `inf` and `-inf` included). Arguments are always
/// bulk strings, so any byte — CR, LF, NUL — is safe inside them.
package protocol RESPArgument: Sendable {
    /// Appends this argument to a command being encoded.
    func encodeArgument(into encoder: inout RESPCommandEncoder)
}

extension String: RESPArgument {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        var copy = self
        copy.withUTF8 { encoder.appendBulk($0) }
    }
}

extension Substring: RESPArgument {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        var copy = self
        copy.withUTF8 { encoder.appendBulk($0) }
    }
}

extension Array: RESPArgument where Element == UInt8 {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        withUnsafeBufferPointer { encoder.appendBulk($0) }
    }
}

extension ArraySlice: RESPArgument where Element == UInt8 {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        withUnsafeBufferPointer { encoder.appendBulk($0) }
    }
}

extension Data: RESPArgument {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        withUnsafeBytes { encoder.appendBulk($0.bindMemory(to: UInt8.self)) }
    }
}

extension Int: RESPArgument {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        encoder.appendBulk(integer: Int64(self))
    }
}

extension Int64: RESPArgument {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        encoder.appendBulk(integer: self)
    }
}

extension Double: RESPArgument {
    package func encodeArgument(into encoder: inout RESPCommandEncoder) {
        let text = isInfinite ? (self < 0 ? "-inf" : "inf") : "\(self)"
        text.encodeArgument(into: &encoder)
    }
}
