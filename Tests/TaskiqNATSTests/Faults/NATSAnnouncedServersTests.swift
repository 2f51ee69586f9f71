import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// A client given one node of a cluster learns the others from `INFO connect_urls` and, when that
/// node dies, reconnects to one it learned, with its subscriptions made again.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSAnnouncedServersTests {
    @Test func aClientGivenOneNodeLearnsTheOthersAndMovesToOne() async throws {
        try await withTimeout(seconds: 120) {
            try await NATSCluster.with { cluster in
                let only = cluster.node(0)
                let client = NATSClient(configuration: try NATSConfiguration(url: only.url))
                try await client.connect()
                // The server announces its cluster's client URLs in INFO, at once or when routes form.
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                while client.knownServers.count < 3, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(Set(client.knownServers.map(\.port)) == Set(cluster.nodes.map { UInt16($0.port) }))

                let (_, messages) = try client.messages("announced.check")
                let events = client.events()
                await only.kill()
                for await event in events {
                    if case .reconnected(let server) = event {
                        #expect(server != "127.0.0.1:\(only.port)")
                        break
                    }
                }
                // The subscription was made again on the new node: a publish reaches it.
                try await client.publish("announced.check", payload: Array("after".utf8))
                for await message in messages {
                    #expect(message.payload == Array("after".utf8))
                    break
                }
                await client.close()
            }
        }
    }
}
