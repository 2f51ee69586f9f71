#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One IPv4 or IPv6 socket address with its port: what ``TCPConnection/connect(to:timeout:keepAlive:isCancelled:)``
/// connects to and ``TCPListener/listen(on:backlog:)`` binds.
package struct SocketAddress: Sendable, CustomStringConvertible {
    /// Which address families a name may resolve to.
    package enum Family: Sendable {
        /// IPv4 and IPv6, in the resolver's order.
        case any
        /// IPv4 only.
        case ipv4
    }

    private var storage: sockaddr_storage
    private let length: socklen_t

    private init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// Resolves `host` (a name or a numeric address) with `getaddrinfo`, for TCP.
    /// - Throws: ``TCPError`` of kind `unresolvedHost`, with the resolver's reason.
    package static func resolve(host: String, port: UInt16, family: Family = .any) throws(TCPError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = family == .ipv4 ? AF_INET : AF_UNSPEC
        hints.ai_socktype = streamType
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0, list != nil else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw TCPError(.unresolvedHost, number: status, reason: reason)
        }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry {
            entry = info.pointee.ai_next
            guard let address = info.pointee.ai_addr else { continue }
            var storage = sockaddr_storage()
            let length = info.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(length)))
            }
            addresses.append(SocketAddress(storage: storage, length: length))
        }
        guard !addresses.isEmpty else { throw TCPError(.unresolvedHost, reason: "no address") }
        return addresses
    }

    /// The IPv4 wildcard address (`0.0.0.0`, every interface), for binding.
    package static func anyIPv4(port: UInt16) -> SocketAddress { ipv4(INADDR_ANY, port: port) }

    /// The IPv4 loopback address, `127.0.0.1`.
    package static func loopbackIPv4(port: UInt16) -> SocketAddress { ipv4(UInt32(0x7F00_0001).bigEndian, port: port) }

    /// Whether `text` is an IPv6 address in textual form (`::1`, `fe80::1`).
    package static func isIPv6Literal(_ text: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET6, text, &storage) == 1
    }

    /// Whether `text` is an IPv4 or IPv6 address rather than a name.
    package static func isIPLiteral(_ text: String) -> Bool {
        var storage = in_addr()
        return inet_pton(AF_INET, text, &storage) == 1 || isIPv6Literal(text)
    }

    private static func ipv4(_ networkOrder: UInt32, port: UInt16) -> SocketAddress {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = networkOrder
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: &address) { target.copyMemory(from: $0) }
        }
        return SocketAddress(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size))
    }

    /// Reads the address a system call fills in (`getsockname`, `getpeername`); `nil` if it fails.
    static func filled(by call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, &length) }
        }
        return status == 0 ? SocketAddress(storage: storage, length: length) : nil
    }

    /// The address family (`AF_INET`, `AF_INET6`).
    var family: Int32 { Int32(storage.ss_family) }

    /// The port, in host byte order.
    package var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: 0
            }
        }
    }

    /// Calls `body` with the address as the `sockaddr` pointer and length the socket calls take.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// `ip:port` for IPv4, `[ip]:port` for IPv6, for logs.
    package var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let host: String = withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                var address = raw.load(as: sockaddr_in.self).sin_addr
                guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return "?" }
                return Self.string(text)
            case AF_INET6:
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "?" }
                return "[\(Self.string(text))]"
            default:
                return "?"
            }
        }
        return "\(host):\(port)"
    }

    private static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `SOCK_STREAM` as the `Int32` the socket calls take (an enum on Glibc, an `Int32` on Darwin).
    static var streamType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }
}
