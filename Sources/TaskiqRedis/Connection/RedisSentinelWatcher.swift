import Synchronization
import Taskiq

/// Follows the sentinels' `+switch-master` announcements and drops this process's connections to
/// a master the moment the sentinels replace it.
///
/// A master that died cuts its connections by itself; one that was demoted (a manual failover, a
/// partition that healed) keeps them, and believes it is the master until the sentinels reconfigure
/// it seconds later — writes it accepts meanwhile are lost when it resynchronises as a replica.
/// Each connection made through ``RedisSentinel`` is tracked here (weakly); the first starts one
/// watcher per set of sentinels and master name, subscribed to `+switch-master` on one sentinel
/// after another, which ends once no tracked connection is left open.
final class RedisSentinelWatcher: Sendable {
    private static let watchers = Mutex<[RedisSentinel: RedisSentinelWatcher]>([:])

    private let sentinel: RedisSentinel
    private let configuration: RedisConfiguration
    private let logger: Logger
    private let connections = Mutex<[WeakConnection]>([])

    private struct WeakConnection: @unchecked Sendable {
        weak var connection: RedisConnection?
    }

    private init(sentinel: RedisSentinel, configuration: RedisConfiguration, logger: Logger) {
        self.sentinel = sentinel
        self.configuration = configuration
        self.logger = logger
    }

    /// Tracks `connection`, made to the master `sentinel` named, and starts the watcher of that
    /// sentinel set if none runs.
    static func track(_ connection: RedisConnection, sentinel: RedisSentinel, configuration: RedisConfiguration, logger: Logger) {
        let (watcher, isNew) = watchers.withLock { watchers -> (RedisSentinelWatcher, Bool) in
            if let running = watchers[sentinel] { return (running, false) }
            let watcher = RedisSentinelWatcher(sentinel: sentinel, configuration: configuration, logger: logger)
            watchers[sentinel] = watcher
            return (watcher, true)
        }
        watcher.connections.withLock { connections in
            connections.removeAll { $0.connection?.isOpen != true }
            connections.append(WeakConnection(connection: connection))
        }
        if isNew { Task.detached { await watcher.run() } }
    }

    /// Drops the tracked connections to `host`:`port`; returns how many.
    func dropConnections(to host: String, port: Int) -> Int {
        let doomed = connections.withLock { connections -> [RedisConnection] in
            let open = connections.compactMap(\.connection).filter(\.isOpen)
            connections = open.filter { !($0.configuration.host == host && $0.configuration.port == port) }.map {
                WeakConnection(connection: $0)
            }
            return open.filter { $0.configuration.host == host && $0.configuration.port == port }
        }
        for connection in doomed {
            connection.drop("the sentinels replaced master '\(sentinel.masterName)' at \(host):\(port) (+switch-master)")
        }
        return doomed.count
    }

    /// Whether a tracked connection is still open; when none is, the watcher is unregistered
    /// (under the same lock, so a new connection starts a new one).
    private func finishIfIdle() -> Bool {
        Self.watchers.withLock { watchers in
            let idle = connections.withLock { connections in
                connections.removeAll { $0.connection?.isOpen != true }
                return connections.isEmpty
            }
            if idle, watchers[sentinel] === self { watchers[sentinel] = nil }
            return idle
        }
    }

    private func run() async {
        var failures = 0
        var next = 0
        while !finishIfIdle() {
            let address = sentinel.addresses[next % sentinel.addresses.count]
            next += 1
            do {
                let connection = try await RedisConnection.connect(
                    sentinel.configuration(for: address, from: configuration, protocolVersion: .resp3), logger: logger)
                defer { connection.close() }
                // A sentinel without RESP3 cannot push on a shared reader: READONLY and UNBLOCKED
                // replies still move connections, a little later.
                guard connection.protocolVersion == 3 else { return Self.unregister(self) }
                try connection.sendWithoutReply(["SUBSCRIBE", "+switch-master"])
                failures = 0
                for await push in connection.pushes {
                    // message +switch-master "<name> <old-ip> <old-port> <new-ip> <new-port>"
                    guard push.count >= 3, push[0].string == "message", let text = push[2].string else { continue }
                    let words = text.split(separator: " ")
                    guard words.count == 5, words[0] == sentinel.masterName, let port = Int(words[2]) else { continue }
                    let dropped = dropConnections(to: String(words[1]), port: port)
                    logger.warning(
                        "Redis sentinels moved master '\(sentinel.masterName)' from \(words[1]):\(words[2]) to \(words[3]):\(words[4]); dropped \(dropped) connections to the old one",
                        metadata: ["sentinel": "\(address)"])
                    if finishIfIdle() { return }
                }
            } catch {
                failures += 1
                logger.debug("cannot follow +switch-master on sentinel \(address): \(error)")
            }
            do {
                try await Task.sleep(for: configuration.reconnect.delay(afterFailures: max(1, failures)))
            } catch {
                return Self.unregister(self)
            }
        }
    }

    private static func unregister(_ watcher: RedisSentinelWatcher) {
        watchers.withLock { watchers in
            if watchers[watcher.sentinel] === watcher { watchers[watcher.sentinel] = nil }
        }
    }
}
