/// The host part of an address (a ZeroMQ endpoint, a Redis URL), checked where the address is
/// parsed, so that a typo such as `tcp://not a host:5555` fails where it is written instead of at
/// the first connection.
package enum NetworkHost {
    /// Why `host` is not a DNS name or an IPv4 address, or `nil` when it is one.
    ///
    /// Names are labels of ASCII letters, digits, `-` and `_` (container names use `_`) separated
    /// by dots, at most 63 bytes each and 253 in all; four labels of digits must form an IPv4 address.
    package static func problem(with host: some StringProtocol) -> String? {
        guard !host.isEmpty else { return "the host is empty" }
        var name = Substring(host)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard name.utf8.count <= 253 else { return "the host is longer than 253 bytes" }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { return "host '\(host)' has an empty label" }
            guard label.utf8.count <= 63 else { return "host '\(host)' has a label longer than 63 bytes" }
            if let bad = label.unicodeScalars.first(where: { !isHostCharacter($0) }) {
                return "host '\(host)' contains \(bad == " " ? "a space" : "'\(bad)'") (a host is letters, digits, '-', '_' and '.')"
            }
            guard label.first != "-", label.last != "-" else { return "host '\(host)' has a label that starts or ends with '-'" }
        }
        if labels.count == 4, labels.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }),
            !labels.allSatisfy({ $0.utf8.count <= 3 && Int($0)! <= 255 })
        {
            return "host '\(host)' is not an IPv4 address (each part must be 0 to 255)"
        }
        return nil
    }

    /// Why `address` (written between brackets in a URL) is not an IPv6 address, or `nil` when it is one.
    package static func ipv6Problem(with address: some StringProtocol) -> String? {
        SocketAddress.isIPv6Literal(String(address)) ? nil : "'[\(address)]' is not an IPv6 address"
    }

    private static func isHostCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_": true
        default: false
        }
    }
}
