import Testing

@testable import Taskiq
@testable import TaskiqZeroMQ

/// ZeroMQ cannot carry a cancel signal to a worker, and says so.
@Suite struct ZeroMQCancellationTests {
    @Test func brokersThatCannotCarryTheSignalSayWhy() async throws {
        let broker = ZeroMQBroker()
        await #expect {
            try await broker.cancelTask(id: "abc")
        } throws: { error in
            (error as? TaskiqError)?.code == .unsupported && "\(error)".contains("abc")
        }
    }
}
