/// Which key a command is about, so a cluster client can send it to the master of that key's slot.
///
/// Knows the commands taskiq sends: the key is the first argument, except for `XREADGROUP`/`XREAD`
/// (the first stream after `STREAMS`), `EVAL`/`EVALSHA`/`FCALL` (the first key, if `numkeys` > 0),
/// `XGROUP`/`XINFO`/`OBJECT` subcommands (the argument after the subcommand), `SCAN` with a
/// `MATCH` pattern that holds a hash tag (the pattern), and commands with no key at all (`PING`,
/// `PUBLISH`, `WAIT`, `CLUSTER`, …), which any node answers.
package enum RedisCommandKey {
    /// The key `command` addresses, or `nil` when it has none.
    package static func key(of command: [any RESPArgument]) -> [UInt8]? {
        guard let name = command.first.map(bytes(of:)).map({ String(decoding: $0, as: UTF8.self).uppercased() }) else { return nil }
        switch name {
        case "SCAN":
            // SCAN lists one node's keys: a MATCH pattern with a hash tag (`{prefix}:*`) names the
            // slot, and so the master, whose keys it wants.
            guard let match = command.firstIndex(where: { String(decoding: bytes(of: $0), as: UTF8.self).uppercased() == "MATCH" }),
                match + 1 < command.count
            else { return nil }
            let pattern = bytes(of: command[match + 1])
            guard let open = pattern.firstIndex(of: UInt8(ascii: "{")),
                let close = pattern[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1,
                !pattern[..<close].contains(where: { "*?[\\".utf8.contains($0) })
            else { return nil }
            return pattern
        case "PING", "ECHO", "PUBLISH", "SPUBLISH", "WAIT", "CLUSTER", "INFO", "ROLE", "HELLO", "AUTH", "SELECT",
            "CLIENT", "MULTI", "EXEC", "DISCARD", "ASKING", "READONLY", "SCRIPT", "FUNCTION", "DBSIZE", "FLUSHALL",
            "FLUSHDB", "TIME", "COMMAND", "CONFIG", "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SENTINEL":
            return nil
        case "XREADGROUP", "XREAD":
            guard let streams = command.firstIndex(where: { String(decoding: bytes(of: $0), as: UTF8.self).uppercased() == "STREAMS" }),
                streams + 1 < command.count
            else { return nil }
            return bytes(of: command[streams + 1])
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard command.count > 3, let count = Int(String(decoding: bytes(of: command[2]), as: UTF8.self)), count > 0 else { return nil }
            return bytes(of: command[3])
        case "XGROUP", "XINFO", "OBJECT", "MEMORY":
            return command.count > 2 ? bytes(of: command[2]) : nil
        default:
            return command.count > 1 ? bytes(of: command[1]) : nil
        }
    }

    /// The slot of `command`'s key, or `nil` when it has none.
    package static func slot(of command: [any RESPArgument]) -> Int? {
        key(of: command).map(RedisClusterSlot.of)
    }

    /// The slot of the first command in `commands` that has a key.
    package static func slot(of commands: [[any RESPArgument]]) -> Int? {
        for command in commands {
            if let slot = slot(of: command) { return slot }
        }
        return nil
    }

    /// The bytes an argument is sent as.
    static func bytes(of argument: any RESPArgument) -> [UInt8] {
        switch argument {
        case let text as String: return Array(text.utf8)
        case let text as Substring: return Array(text.utf8)
        case let bytes as [UInt8]: return bytes
        case let bytes as ArraySlice<UInt8>: return Array(bytes)
        default:
            var encoder = RESPCommandEncoder()
            argument.encodeArgument(into: &encoder)
            // `$<length>\r\n<bytes>\r\n`: the payload sits between the first CRLF and the last.
            let encoded = encoder.bytes
            guard let header = encoded.firstIndex(of: 10), encoded.count >= header + 3 else { return [] }
            return Array(encoded[(header + 1)..<(encoded.count - 2)])
        }
    }
}
