import Foundation
import Taskiq
import TaskiqRabbitMQ
import TaskiqTestSupport
import Testing

/// Python taskiq-aio-pika 0.6.1 and the Swift broker on the same node and the same queues:
/// neither side's declares are refused (no 406) and messages cross both ways.
extension RabbitMQBrokerTests {
    @Test(.enabled(if: PythonPeer.shouldRunAioPika, "taskiq-aio-pika is not in .venv; run scripts/install-peers.sh"))
    func pythonKicksAndSwiftListens() async throws {
        try await withTimeout(seconds: 90) {
            let server = try await RabbitMQServer.shared()
            let broker = try RabbitMQBroker(url: server.url)
            try await broker.startup()
            let peer = try PythonPeer(script: "aio_pika_peer.py", ["kick", server.url, "3"])
            let kicked = try await peer.lines(startingWith: "KICKED ", count: 3, timeout: 60).map { String($0.dropFirst(7)) }
            #expect(try await peer.waitForExit(timeout: 30) == 0, "\(peer.stderr)")
            var received: [String] = []
            for try await message in try await broker.listen() {
                let text = String(decoding: message.data, as: UTF8.self)
                received.append(text)
                try await message.ack?()
                if received.count == 3 { break }
            }
            for id in kicked { #expect(received.contains { $0.contains(id) }, "\(id) not in \(received)") }
            try await broker.shutdown()
        }
    }

    @Test(.enabled(if: PythonPeer.shouldRunAioPika, "taskiq-aio-pika is not in .venv; run scripts/install-peers.sh"))
    func swiftKicksAndPythonListens() async throws {
        try await withTimeout(seconds: 90) {
            let server = try await RabbitMQServer.shared()
            let broker = try RabbitMQBroker(url: server.url)
            try await broker.startup()
            var ids: [String] = []
            for index in 0..<3 {
                let id = "swift-\(index)-\(UUID().uuidString.prefix(8))"
                ids.append(id)
                let body =
                    #"{"task_id":"\#(id)","task_name":"wirefacts.add","labels":{},"labels_types":{},"args":[\#(index),4],"kwargs":{}}"#
                try await broker.kick(BrokerMessage(taskID: id, taskName: "wirefacts.add", message: Array(body.utf8), labels: [:]))
            }
            let peer = try PythonPeer(script: "aio_pika_peer.py", ["listen", server.url, "3"])
            let bodies = try await peer.lines(startingWith: "BODY ", count: 3, timeout: 60)
            #expect(try await peer.waitForExit(timeout: 30) == 0, "\(peer.stderr)")
            for id in ids { #expect(bodies.contains { $0.contains(id) }, "\(id) not in \(bodies)") }
            try await broker.shutdown()
        }
    }
}
