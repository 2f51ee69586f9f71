import Foundation
import Testing

/// Three `nats-server` nodes on loopback forming one cluster (`taskiq`) with clustered
/// JetStream, for one test: each node has its own client, route and monitoring port, its own
/// store directory and a server name, `n1`, `n2` and `n3`; ``node(_:)`` (0-based) is `n<index + 1>`.
///
/// ```swift
/// try await NATSCluster.with { cluster in
///     ... cluster.url ...                      // all three client URLs, comma-separated
///     let leader = try await cluster.waitForMetaLeader()
///     await leader.kill()
///     _ = try await cluster.waitForMetaLeader() // one of the two others
///     try await leader.restart()                // same ports, same store
/// }
/// ```
/// Ready once every node reports the same JetStream meta leader on `/jsz`.
package final class NATSCluster: Sendable {
    /// The nodes, `n1`, `n2`, `n3` in order.
    package let nodes: [NATSServer]
    /// The cluster's name (`--cluster_name`).
    package let name: String

    private init(nodes: [NATSServer], name: String) {
        self.nodes = nodes
        self.name = name
    }

    /// The node at `index` (0-based): `node(0)` is `n1`.
    package func node(_ index: Int) -> NATSServer { nodes[index] }

    /// The node whose server name is `serverName` (`"n2"`), if any.
    package func node(named serverName: String) -> NATSServer? { nodes.first { $0.serverName == serverName } }

    /// Each node's client URL, `nats://127.0.0.1:<port>`, in node order.
    package var urls: [String] { nodes.map(\.url) }

    /// Every node's client URL, comma-separated: what nats-py's `servers` and `NATS_URL` take.
    package var url: String { urls.joined(separator: ",") }

    /// Every node's log, labelled, for failure messages.
    package var logs: String {
        nodes.map { "--- \($0.serverName ?? "?") (client port \($0.port)) ---\n\($0.log.suffix(3000))" }
            .joined(separator: "\n")
    }

    /// Starts a cluster, runs `body`, then stops every node and removes their directories whether
    /// `body` throws or not.
    package static func with<T: Sendable>(
        size: Int = 3, arguments: [String] = [],
        _ body: (NATSCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await start(size: size, arguments: arguments)
        do {
            let result = try await body(cluster)
            await cluster.remove()
            return result
        } catch {
            await cluster.remove()
            throw error
        }
    }

    /// Starts `size` nodes at once and waits until JetStream has a meta leader that every node
    /// agrees on. Call ``remove()`` when done.
    /// - Parameter arguments: More `nats-server` arguments for every node.
    package static func start(
        size: Int = 3, name: String = "taskiq", arguments: [String] = [],
        timeout: Duration = .seconds(90)
    ) async throws -> NATSCluster {
        guard NATSServer.executable != nil else { throw NATSServer.StartError(description: "\(NATSServer.skipMessage)") }
        var lastError: (any Error)?
        for _ in 0..<3 {
            let routePorts = (0..<size).map { _ in Int(freeLoopbackPort()) }
            var nodes: [NATSServer] = []
            for index in 0..<size {
                nodes.append(
                    NATSServer(
                        port: Int(freeLoopbackPort()), monitoringPort: Int(freeLoopbackPort()), authentication: .none, tls: nil,
                        jetStream: true, serverName: "n\(index + 1)",
                        cluster: .init(
                            name: name, port: routePorts[index],
                            routes: routePorts.enumerated().filter { $0.offset != index }.map(\.element)),
                        arguments: arguments, directory: try NATSServer.makeDirectory("taskiq-nats-n\(index + 1)")))
            }
            let cluster = NATSCluster(nodes: nodes, name: name)
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for node in nodes { group.addTask { try await node.launch(timeout: timeout) } }
                    try await group.waitForAll()
                }
            } catch {
                lastError = error  // most likely a port was taken between probing and binding
                await cluster.remove()
                continue
            }
            do {
                _ = try await cluster.waitForMetaLeader(timeout: timeout)
                return cluster
            } catch {
                await cluster.remove()
                throw error
            }
        }
        throw lastError!
    }

    /// The JetStream meta leader's name as each running node's `/jsz` reports it right now
    /// (`nil` where a node has none yet or did not answer), by node.
    package func reportedMetaLeaders() -> [String: String?] {
        var reports: [String: String?] = [:]
        for node in nodes where node.isRunning {
            let meta = (try? node.monitoring("/jsz", timeout: .seconds(3)))?["meta_cluster"] as? [String: Any]
            let leader = meta?["leader"] as? String
            reports[node.serverName ?? "?"] = (leader?.isEmpty ?? true) ? nil : leader
        }
        return reports
    }

    /// Waits until every running node reports the same JetStream meta leader, and that leader is
    /// a running node; returns it. After a leader was killed, the others may name it for a while:
    /// this waits for the new election.
    /// - Throws: ``NATSServer/StartError`` with the reports and every node's log at the deadline.
    @discardableResult
    package func waitForMetaLeader(timeout: Duration = .seconds(60)) async throws -> NATSServer {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var reports: [String: String?] = [:]
        while ContinuousClock.now < deadline {
            reports = reportedMetaLeaders()
            let named = Set(reports.values)
            if !reports.isEmpty, named.count == 1, let leader = named.first ?? nil,
                let node = node(named: leader), node.isRunning
            {
                return node
            }
            try await Task.sleep(for: .milliseconds(100))  // a poll interval against a deadline, not a synchronisation
        }
        throw NATSServer.StartError(
            description: """
                NATS cluster \(name) had no agreed JetStream meta leader within \(timeout); /jsz leaders by node: \
                \(reports.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ?? "none")" }.joined(separator: ", "))
                \(logs)
                """)
    }

    /// Stops every node (SIGTERM, then waits); their ports and directories stay for restarts.
    package func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { await node.stop() } }
        }
    }

    /// Stops every node and removes their directories.
    package func remove() async {
        await withTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { await node.remove() } }
        }
    }
}
