import Synchronization
import Taskiq
import TaskiqTestSupport
import Testing

@testable import TaskiqNATS

/// Core NATS has no flow control of its own: a publish returns once its bytes are queued for the
/// socket. Publishers faster than the server reads must wait for the writer, not spin on the
/// connection's lock (the bench once saw 64 producers burn both cores sending 111 tasks/s) and
/// not queue without end.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage), .serialized)
struct NATSBackPressureTests {
    @Test func publishersWaitForAServerThatStoppedReadingAndGoOnWhenItReadsAgain() async throws {
        try await withTimeout(seconds: 120) {
            try await NATSServer.with { server in
                let subscriber = NATSClient(configuration: try NATSConfiguration(url: server.url))
                try await subscriber.connect()
                defer { Task { await subscriber.close() } }
                let (_, arrivals) = try subscriber.messages("backpressure")
                try await subscriber.flush()

                var configuration = try NATSConfiguration(url: server.url)
                configuration.outboundLimit = 1 << 20
                let publisher = NATSClient(configuration: configuration)
                try await publisher.connect()
                defer { Task { await publisher.close() } }
                let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)

                // Frozen: the kernel's socket buffers fill, then the client's queue, then a
                // publish waits — and fails with a timeout that says why, instead of spinning.
                await server.pause()
                var published = 0
                var refusal: NATSClientError?
                while refusal == nil, published < 4096 {
                    do {
                        try await publisher.publish("backpressure", payload: payload, timeout: .milliseconds(300))
                        published += 1
                    } catch let error as NATSClientError {
                        refusal = error
                    }
                }
                let error = try #require(refusal, "\(published) publishes of 64 KiB were all queued for a frozen server")
                #expect(error.code == .timeout)
                #expect(error.message.contains("did not take the 1048576 bytes queued for it in time"), "\(error.message)")
                // At least the limit was queued before anyone waited, and not without end: the
                // rest sits in the kernel's socket buffers.
                #expect(published * payload.count >= 1 << 20)
                #expect(published * payload.count <= 64 << 20, "\(published) publishes queued for a frozen server")

                // A publish waiting when the server thaws goes out, and so does everything queued.
                let waiting = Task { try await publisher.publish("backpressure", payload: payload, timeout: .seconds(60)) }
                await server.resume()
                try await waiting.value
                try await publisher.flush(timeout: .seconds(30))
                var received = 0
                for await message in arrivals {
                    #expect(message.payload.count == payload.count)
                    received += 1
                    if received == published + 1 { break }
                }
                #expect(received == published + 1)
            }
        }
    }
}
