import Taskiq

/// The Redis Sentinel processes that watch a master, and which master to ask them for.
///
/// Set on a ``RedisConfiguration`` (usually from a `redis+sentinel://` URL), it makes every
/// connection ask the sentinels where the master is — `SENTINEL GET-MASTER-ADDR-BY-NAME` —
/// connect there, and check with `ROLE` that the server is the master before sending anything:
/// ```swift
/// let configuration = try RedisConfiguration(
///     url: "redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/mymaster/0")
/// ```
/// After a failover, connections to the old master fail (it died, or as a replica it answers
/// `READONLY` or unblocks its readers with `UNBLOCKED`, which close the connection), and the next
/// connection finds the promoted replica.
package struct RedisSentinel: Sendable, Hashable {
    /// One sentinel's address.
    package typealias Address = RedisAddress

    /// The port sentinels listen on unless told otherwise.
    package static let defaultPort = 26379

    /// The sentinels, asked in this order until one answers.
    package var addresses: [Address]
    /// The name the sentinels monitor the master under (`sentinel monitor <name> …`).
    package var masterName: String
    /// The ACL user for the sentinels; `nil` authenticates as `default` when a password is set.
    package var username: String?
    /// The sentinels' password (`requirepass` in sentinel.conf); `nil` when they have none. The
    /// master's own credentials are the configuration's.
    package var password: String?

    /// Creates a sentinel setting.
    package init(addresses: [Address], masterName: String, username: String? = nil, password: String? = nil) {
        self.addresses = addresses
        self.masterName = masterName
        self.username = username
        self.password = password
    }

    /// The sentinels as `h1:26379,h2:26379`, for messages.
    package var addressList: String { addresses.map(\.description).joined(separator: ",") }

    /// Asks the sentinels, in order, where the master is now.
    /// - Parameters:
    ///   - configuration: The master's configuration: its TLS, timeouts and limits are used for the
    ///     sentinels too.
    ///   - logger: Receives the sentinels that could not answer.
    /// - Returns: The master's host and port as the first sentinel that knew it reported them.
    /// - Throws: ``RedisConnectionError``: `authenticationFailed` when every sentinel refused the
    ///   credentials, otherwise `connectFailed` saying what each sentinel answered.
    func master(for configuration: RedisConfiguration, logger: Logger) async throws -> Address {
        var problems: [String] = []
        var refusedCredentials = 0
        for address in addresses {
            try Task.checkCancellation()
            do {
                let connection = try await RedisConnection.connect(
                    self.configuration(for: address, from: configuration),
                    logger: logger)
                defer { connection.close() }
                let reply = try await connection.send(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName])
                if let master = Self.address(from: reply) { return master }
                problems.append(
                    reply.isNull
                        ? "\(address) does not monitor a master named '\(masterName)'"
                        : "\(address) answered SENTINEL GET-MASTER-ADDR-BY-NAME with something other than a host and a port from 1 to 65535"
                )
            } catch let error as RedisConnectionError {
                if error.code == .authenticationFailed { refusedCredentials += 1 }
                if error.code == .closedLocally { throw error }
                problems.append("\(address): \(error.message)")
            } catch let error as RedisError {
                problems.append("\(address) refused SENTINEL GET-MASTER-ADDR-BY-NAME (is it a sentinel?): \(error.code) \(error.message)")
            }
            logger.warning(
                "Redis sentinel could not name the master: \(problems.last ?? "")",
                metadata: ["sentinel": "\(address)", "master": masterName])
        }
        let code: RedisConnectionError.Code =
            refusedCredentials == addresses.count && !addresses.isEmpty
            ? .authenticationFailed : .connectFailed
        throw configuration.error(code, "no sentinel could name master '\(masterName)': \(problems.joined(separator: "; "))")
    }

    /// How to talk to the sentinel at `address`: the master's TLS, timeouts and limits, the
    /// sentinels' credentials, no database, RESP2 unless `protocolVersion` says otherwise.
    func configuration(
        for address: Address, from master: RedisConfiguration,
        protocolVersion: RedisConfiguration.ProtocolVersion = .resp2
    ) -> RedisConfiguration {
        var configuration = master
        configuration.sentinel = nil
        configuration.host = address.host
        configuration.port = address.port
        configuration.username = username
        configuration.password = password
        configuration.database = 0
        configuration.protocolVersion = protocolVersion
        configuration.clientName = nil
        configuration.commandTimeout = master.connectTimeout
        return configuration
    }

    /// The `[host, port]` a sentinel answers, or `nil` for its null (an unknown master name).
    static func address(from reply: RESPValue) -> Address? {
        guard let parts = reply.array, parts.count == 2, let host = parts[0].string, !host.isEmpty,
            let portText = parts[1].string, let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        return Address(host: host, port: port)
    }
}
