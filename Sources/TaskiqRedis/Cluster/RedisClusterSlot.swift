/// The hash slot Redis Cluster keeps a key in.
///
/// A key's slot is the CRC16 (XMODEM) of the key modulo 16384 — or, when the key holds a hash
/// tag, a non-empty `{…}` (the first `{` and the first `}` after it), of the tag alone, so keys
/// sharing a tag share a slot and can meet in one script or transaction:
/// ```swift
/// RedisClusterSlot.of(Array("{taskiq}:delayed".utf8)) == RedisClusterSlot.of(Array("taskiq".utf8))  // true
/// ```
package enum RedisClusterSlot {
    /// How many slots a cluster has: slots are `0..<count`.
    package static let count = 16384

    /// The slot of `key`.
    package static func of(_ key: some Collection<UInt8>) -> Int {
        let bytes = Array(key)
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            return Int(crc16(bytes[(open + 1)..<close]) % UInt16(count))
        }
        return Int(crc16(bytes) % UInt16(count))
    }

    /// The slot of a key given as a string (its UTF-8 bytes).
    package static func of(_ key: String) -> Int { of(Array(key.utf8)) }

    /// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    /// `base` written so that keys built around it (`<anchor>:delayed`, `lease:<anchor>:…`) land
    /// in `base`'s own slot: on a cluster `{base}`, or `base` itself when it holds a hash tag
    /// already; elsewhere `base`, so single-server key names stay what they were.
    ///
    /// An empty `base`, or one with a `}` but no hash tag, cannot be wrapped; it is returned as
    /// is, and a script over both keys gets the server's `CROSSSLOT` error.
    package static func anchor(_ base: String, on configuration: RedisConfiguration) -> String {
        guard configuration.clusterNodes != nil else { return base }
        let bytes = Array(base.utf8)
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            return base
        }
        return base.isEmpty || base.contains("}") ? base : "{\(base)}"
    }
}
