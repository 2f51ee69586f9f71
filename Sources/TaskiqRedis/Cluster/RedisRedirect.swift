/// A cluster node's answer that a key's slot is served elsewhere: `-MOVED 3999 10.0.0.2:6381`
/// (for good: update the slot map) or `-ASK 3999 10.0.0.2:6381` (during a migration: ask there
/// once, after `ASKING`).
package struct RedisRedirect: Sendable, Hashable {
    /// Whether the slot moved for good or is being migrated.
    package enum Kind: Sendable, Hashable {
        /// `MOVED`: the slot now lives on the target.
        case moved
        /// `ASK`: this one command goes to the target, preceded by `ASKING`.
        case ask
    }

    /// `MOVED` or `ASK`.
    package var kind: Kind
    /// The slot, 0 to 16383.
    package var slot: Int
    /// The node to ask: its host (an IP address as the cluster announces it).
    package var host: String
    /// The node's port.
    package var port: Int

    /// Reads a redirect from an error reply; `nil` when it is another error or malformed.
    package init?(_ error: RedisError) {
        switch error.code {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        let words = error.message.split(separator: " ")
        guard words.count == 2, let slot = Int(words[0]), (0..<RedisClusterSlot.count).contains(slot),
            let colon = words[1].lastIndex(of: ":"), let port = Int(words[1][words[1].index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = words[1][..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.slot = slot
        self.host = String(host)
        self.port = port
    }
}
