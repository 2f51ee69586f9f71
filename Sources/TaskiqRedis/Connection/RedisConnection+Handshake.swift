import Taskiq

extension RedisConnection {
    /// `HELLO 3 [AUTH user password] [SETNAME name]`, falling back to `AUTH` and RESP2 when the
    /// server refuses `HELLO`; then `SELECT` when a database other than 0 is configured.
    func performHandshake(logger: Logger) async throws {
        let configuration = configuration
        let timeout = configuration.connectTimeout
        var resp3 = false
        if configuration.protocolVersion == .resp3 {
            var hello: [any RESPArgument] = ["HELLO", "3"]
            if let password = configuration.password {
                hello += ["AUTH", configuration.username ?? "default", password]
            }
            if let name = configuration.clientName { hello += ["SETNAME", name] }
            let reply = try await pipeline([hello], timeout: timeout)[0]
            if let error = reply.redisError {
                if Self.isAuthenticationFailure(error) { throw authenticationError(error) }
                logger.debug("Redis refused HELLO 3 (\(error)); using RESP2", metadata: ["redis": configuration.address])
            } else {
                resp3 = true
                let version = reply.pairs?.first { $0.key.string == "version" }?.value.string
                let proto = reply.pairs?.first { $0.key.string == "proto" }?.value.int ?? 3
                setHandshake(protocolVersion: proto, serverVersion: version)
            }
        }
        if !resp3 {
            if let password = configuration.password {
                let auth: [any RESPArgument] = configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                if let error = try await pipeline([auth], timeout: timeout)[0].redisError {
                    throw authenticationError(error)
                }
            }
            if let name = configuration.clientName,
                let error = try await pipeline([["CLIENT", "SETNAME", name]], timeout: timeout)[0].redisError
            {
                throw configuration.error(
                    .handshakeFailed, "CLIENT SETNAME \(name) failed: \(error.code) \(error.message)", underlying: error)
            }
        }
        if configuration.database != 0,
            let error = try await pipeline([["SELECT", configuration.database]], timeout: timeout)[0].redisError
        {
            if error.code == "NOAUTH" { throw authenticationError(error) }
            throw configuration.error(
                .handshakeFailed, "SELECT \(configuration.database) failed: \(error.code) \(error.message)", underlying: error)
        }
    }

    private static func isAuthenticationFailure(_ error: RedisError) -> Bool {
        error.code == "WRONGPASS" || error.code == "NOAUTH" || error.code == "NOPERM"
            || (error.code == "ERR" && (error.message.hasPrefix("AUTH") || error.message.contains("invalid password")))
    }

    private func authenticationError(_ error: RedisError) -> RedisConnectionError {
        let configuration = configuration
        let user = configuration.username ?? "default"
        let message =
            switch error.code {
            case "NOAUTH":
                "the server requires a password (NOAUTH); put it in the URL as redis://:password@host:port or redis://user:password@host:port"
            case "WRONGPASS":
                "authentication failed for user '\(user)': wrong password or unknown or disabled user (WRONGPASS)"
            default:
                "authentication failed for user '\(user)': \(error.code) \(error.message)"
            }
        return configuration.error(.authenticationFailed, message, underlying: error)
    }
}
