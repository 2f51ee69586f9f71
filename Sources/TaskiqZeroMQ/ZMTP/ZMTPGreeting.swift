import Taskiq

/// The 64-byte greeting that opens every ZMTP 3.x connection.
///
/// We always send the whole greeting at once (libzmq sends its own in stages and would deadlock
/// with a peer that waits for all 64 bytes first) and always offer the NULL mechanism.
package struct ZMTPGreeting: Sendable, Hashable {
    /// The greeting's size on the wire.
    package static let size = 64

    /// The major version; 3 for every peer we accept.
    package var major: UInt8
    /// The minor version: 0 for ZMTP 3.0 (legacy subscriptions), 1 or more for ZMTP 3.1.
    package var minor: UInt8
    /// The mechanism name with its NUL padding removed, `NULL` for every peer we accept.
    package var mechanism: String
    /// The as-server flag; meaningless for NULL, and libzmq ignores it.
    package var asServer: Bool

    package init(major: UInt8 = 3, minor: UInt8 = 1, mechanism: String = "NULL", asServer: Bool = false) {
        self.major = major
        self.minor = minor
        self.mechanism = mechanism
        self.asServer = asServer
    }

    /// Whether the peer expects SUBSCRIBE/CANCEL commands (ZMTP 3.1) rather than messages.
    package var usesSubscriptionCommands: Bool { major > 3 || minor >= 1 }

    /// The 64 wire bytes.
    ///
    /// Bytes 1–8 carry libzmq's big-endian "identity length + 1" (so `…01`), which makes our
    /// greeting byte-identical to libzmq's and keeps ZMTP 1.0 peers from misreading it.
    package var bytes: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.size)
        bytes[0] = 0xFF
        bytes[8] = 0x01
        bytes[9] = 0x7F
        bytes[10] = major
        bytes[11] = minor
        for (index, byte) in mechanism.utf8.prefix(20).enumerated() { bytes[12 + index] = byte }
        bytes[32] = asServer ? 1 : 0
        return bytes
    }
}
