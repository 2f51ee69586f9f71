/// Byte dumps captured from libzmq 4.3.5 (pyzmq 27.3.0), quoted from
/// shared/reference/zmtp-and-resp.md §1.1–1.6 and Part 3(e).
enum ZMTPFixtures {
    /// libzmq's greeting, identical whatever the peer announced.
    static let libzmqGreeting = hex(
        "ff 00 00 00 00 00 00 00 01 7f 03 01 4e 55 4c 4c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
            + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")
    /// A ZMTP 3.0 greeting (as libzmq 4.3.0–4.3.2 sends).
    static let greeting30: [UInt8] = {
        var bytes = libzmqGreeting
        bytes[11] = 0
        return bytes
    }()
    static let pushReady = hex(
        "04 1a 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 04 50 55 53 48")
    static let subReady =
        [0x04, 0x19, 0x05] + Array("READY".utf8) + [0x0b] + Array("Socket-Type".utf8)
        + [0, 0, 0, 3] + Array("SUB".utf8)
    /// PUSH sending `[b"hello", b"x" * 300]`.
    static let helloAnd300 =
        hex("01 05 68 65 6c 6c 6f 02 00 00 00 00 00 00 01 2c")
        + [UInt8](repeating: UInt8(ascii: "x"), count: 300)
    static let subscribe31 = hex("04 0f 09 53 55 42 53 43 52 49 42 45 74 6f 70 69 63")
    static let cancel31 = hex("04 0c 06 43 41 4e 43 45 4c 74 6f 70 69 63")
    static let subscribe30 = hex("00 06 01 74 6f 70 69 63")
    static let cancel30 = hex("00 06 00 74 6f 70 69 63")
    /// libzmq PULL with HEARTBEAT_IVL 200 ms, TTL 3000 ms.
    static let libzmqPing = hex("04 07 04 50 49 4e 47 00 1e")
    /// libzmq's answer to `\x04PING\x00\x00ctx1`.
    static let pongCtx1 = hex("04 09 04 50 4f 4e 47 63 74 78 31")

    static func hex(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0, radix: 16)! }
    }
}
