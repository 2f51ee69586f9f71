import Taskiq

extension AddressFormat {
    /// A local address a server binds, `host:port` (`127.0.0.1:9000`, `[::1]:9000`, `0.0.0.0:9000`),
    /// without a scheme; port 0 lets the system choose.
    public static let listenAddress = AddressFormat(
        name: "listen_address", example: "host:port",
        scheme: "(\\[[0-9A-Fa-f:.]+\\]|[^:/\\[\\]]+):[0-9]+$"
    ) { text in
        ListenAddress(parsing: text).problem
    }
}

/// A `host:port` a server binds, parsed from the file.
struct ListenAddress: Sendable, Hashable {
    /// The host, without brackets.
    var host = ""
    /// The port.
    var port: UInt16 = 0
    /// Why the text is not an address, or `nil`.
    var problem: String?

    init(parsing text: String) {
        if text.contains("/") {
            problem = "\"\(text)\" has a scheme or path; expected host:port without a scheme, such as 127.0.0.1:9000"
            return
        }
        guard let colon = text.lastIndex(of: ":") else {
            problem = "\"\(text)\" has no port; expected host:port such as 127.0.0.1:9000"
            return
        }
        var hostPart = String(text[..<colon])
        let portPart = text[text.index(after: colon)...]
        if hostPart.hasPrefix("["), hostPart.hasSuffix("]") {
            hostPart = String(hostPart.dropFirst().dropLast())
        } else if hostPart.contains(":") {
            problem = "\"\(text)\" has an IPv6 host without brackets; expected [::1]:9000"
            return
        }
        guard !hostPart.isEmpty else {
            problem = "\"\(text)\" has no host; expected host:port such as 127.0.0.1:9000 (0.0.0.0 for every interface)"
            return
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber), portPart.count <= 5,
            let number = Int(portPart), number <= 65_535
        else {
            problem = "\"\(text)\" has port \"\(portPart)\"; expected a number from 0 to 65535"
            return
        }
        guard !hostPart.contains("/"), !hostPart.contains(" ") else {
            problem = "\"\(text)\" has host \"\(hostPart)\"; expected a host name or IP address without a scheme or path"
            return
        }
        host = hostPart
        port = UInt16(number)
    }
}
