import TaskiqTestSupport
import Testing

@testable import Taskiq
@testable import TaskiqNATS

/// Results in a real JetStream key-value bucket: stored and read as JSON, waits woken by the
/// put, task IDs NATS does not allow as keys, the TTL, keep_results=false.
@Suite(.enabled(if: NATSServer.shouldRun, NATSServer.skipMessage))
struct NATSKeyValueResultBackendTests {
    static let result = TaskiqResult<JSONValue>(isErr: false, log: "ran", returnValue: .int(42), executionTime: 0.5, labels: ["k": "é ✓"])

    @Test func aStoredResultIsReadBackAndTheBucketIsNATSKeyValueShaped() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let backend = try NATSKeyValueResultBackend(url: server.url, ttl: .seconds(3600))
                try await backend.startup()
                #expect(try await backend.isResultReady("t1") == false)
                await #expect(throws: TaskiqError.self) { try await backend.getResult("t1", withLogs: false) }
                try await backend.setResult(Self.result, for: "t1")
                #expect(try await backend.isResultReady("t1"))
                let read = try await backend.getResult("t1", withLogs: false)
                #expect(read.returnValue == .int(42))
                #expect(read.log == nil)
                #expect(read.labels["k"] == "é ✓")
                #expect(try await backend.getResult("t1", withLogs: true).log == "ran")

                let info = try await backend.bucket.jetStream.api("STREAM.INFO.KV_taskiq_results")
                let config = try #require(info["config"]?.objectValue)
                #expect(config["subjects"] == ["$KV.taskiq_results.>"])
                #expect(config["max_msgs_per_subject"]?.intValue == 1)
                #expect(config["max_age"]?.intValue == 3_600_000_000_000)
                #expect(config["allow_rollup_hdrs"] == true)
                let stored = try #require(
                    try await backend.bucket.jetStream.lastMessage(stream: "KV_taskiq_results", subject: "$KV.taskiq_results.t1"))
                #expect(try JSONParser().parse(stored.payload).objectValue?["return_value"] == .int(42))
                try await backend.shutdown()
            }
        }
    }

    @Test func aWaitIsWokenByThePutNotByPolling() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                // The bucket is re-read only after an hour, past the wait's timeout: only the put's
                // notification can deliver the result in time, however loaded the machine is.
                let backend = try NATSKeyValueResultBackend(url: server.url, recheckInterval: .seconds(3600))
                try await backend.startup()
                let waiter = Task { try await backend.waitResult("t2", timeout: .seconds(30), withLogs: false) }
                // The waiter subscribes first (its first read finds nothing); the put then wakes it.
                try await Task.sleep(for: .milliseconds(300))
                try await backend.setResult(Self.result, for: "t2")
                let result = try await waiter.value
                #expect(result.returnValue == .int(42))
                await #expect(throws: TaskiqError.self) {
                    try await backend.waitResult("never", timeout: .milliseconds(300), withLogs: false)
                }
                try await backend.shutdown()
            }
        }
    }

    @Test func taskIDsThatAreNoKeysAreEncodedAndProgressAndPurgeWork() async throws {
        try await withTimeout(seconds: 60) {
            try await NATSServer.with { server in
                let backend = try NATSKeyValueResultBackend(url: server.url, keepResults: false)
                try await backend.startup()
                for id in ["a b", "é✓", "..", "x.*.>", "b64_x", String(repeating: "z", count: 300)] {
                    try await backend.setResult(Self.result, for: id)
                    #expect(try await backend.isResultReady(id), "\(id)")
                }
                #expect(NATSKeyValueBucket.key(for: "a b") != NATSKeyValueBucket.key(for: "a_b"))
                #expect(NATSKeyValueBucket.key(for: "abc123") == "abc123")
                try await backend.setProgress(TaskProgress(state: "STARTED", meta: ["n": 1]), for: "p1")
                #expect(try await backend.getProgress("p1")?.state == "STARTED")
                #expect(try await backend.getProgress("none") == nil)
                // keep_results false: read once, then gone.
                #expect(try await backend.getResult("a b", withLogs: false).returnValue == .int(42))
                #expect(try await backend.isResultReady("a b") == false)
                try await backend.shutdown()
            }
        }
    }

    @Test func aBadBucketNameOrURLIsAClearError() async throws {
        #expect(throws: NATSClientError.self) { try NATSKeyValueResultBackend(url: "nats://127.0.0.1:1", bucket: "a.b") }
        #expect(throws: NATSClientError.self) { try NATSKeyValueResultBackend(url: "http://x") }
    }

    /// A server stalled past a request's timeout (SIGSTOP) makes a worker's put and a reader's
    /// get wait for it instead of failing: the result of a task that ran is not lost, and the
    /// task's waiter gets it.
    @Test func aPutAndAReadDuringAStallWaitForTheServer() async throws {
        try await withTimeout(seconds: 120) {
            try await NATSServer.with { server in
                let sink = CollectingSink()
                let backend = try NATSKeyValueResultBackend(
                    url: server.url, logger: Logger(label: "taskiq.nats", configuration: LoggingConfiguration(sink: sink)))
                try await backend.startup()

                await server.pause()
                let storing = Task { try await backend.setResult(Self.result, for: "stalled") }
                try await eventually("the put timed out and is tried again") {
                    sink.lines.contains { $0.contains("storing the result of task stalled failed") && $0.contains("timeout") }
                }
                await server.resume()
                try await storing.value

                await server.pause()
                let reading = Task { try await backend.getResult("stalled", withLogs: false) }
                try await eventually("the read timed out and is tried again") {
                    sink.lines.contains { $0.contains("reading the result of task stalled failed") && $0.contains("timeout") }
                }
                await server.resume()
                #expect(try await reading.value.returnValue == .int(42))
                try await backend.shutdown()
            }
        }
    }
}
