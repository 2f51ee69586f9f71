import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct ReceiverTests {
    /// Runs a receiver over a queue broker until the test body is done, then stops it.
    static func withReceiver(
        _ options: ReceiverOptions = ReceiverOptions(), onAck: (@Sendable (String) -> Void)? = nil,
        register: (QueueBroker) -> Void,
        _ body: @Sendable (QueueBroker, Receiver) async throws -> Void
    ) async throws {
        let broker = QueueBroker(onAck: onAck)
        register(broker)
        let receiver = Receiver(broker: broker, options: options)
        let running = Task { try await receiver.run() }
        try await body(broker, receiver)
        broker.close()
        try await withTimeout { try await running.value }
        receiver.shutdown()
    }

    static func wait(_ broker: QueueBroker, _ taskID: String) async throws -> TaskiqResult<JSONValue> {
        try await broker.resultBackend.waitResult(taskID, timeout: .seconds(60), withLogs: true)
    }

    @Test func garbageAndUnknownTasksDoNotStopTheReceiver() async throws {
        try await Self.withReceiver(register: { broker in
            _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
        }) { broker, receiver in
            broker.push([0xFF, 0x00, 0x13], id: "garbage")
            broker.push("{\"task_id\": 1}", id: "invalid")
            broker.push(#"{"task_id": "u", "task_name": "missing.task", "labels": {}, "args": [], "kwargs": {}}"#, id: "unknown")
            broker.push(#"{"task_id": "ok", "task_name": "add", "labels": {}, "args": [2, 3], "kwargs": {}}"#, id: "ok")
            #expect(try await Self.wait(broker, "ok").returnValue == 5)
            let acked = try await broker.acks.first(4)
            #expect(Set(acked) == ["garbage", "invalid", "unknown", "ok"], "bad deliveries are acknowledged and dropped")
            let stats = receiver.statistics
            #expect(stats.undecodable == 2)
            #expect(stats.unknownTask == 1)
            #expect(stats.succeeded == 1)
            #expect(try await broker.resultBackend.isResultReady("u") == false)
        }
    }

    @Test func randomBytesNeverCrashTheReceiver() async throws {
        try await Self.withReceiver(register: { broker in
            _ = broker.task("echo") { (v: JSONValue) async throws -> JSONValue in v }
        }) { broker, receiver in
            var generator = SystemRandomNumberGenerator()
            for i in 0..<300 {
                let count = Int.random(in: 0..<200, using: &generator)
                var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if i % 3 == 0 { bytes = Array(#"{"task_id": "x", "task_name": "echo", "labels": {"#.utf8) + bytes }
                broker.push(bytes)
            }
            broker.push(#"{"task_id": "last", "task_name": "echo", "labels": {}, "args": [[1, {"a": null}]], "kwargs": {}}"#)
            let last = try await Self.wait(broker, "last")
            #expect(last.returnValue == [1, ["a": nil]])
            #expect(receiver.statistics.undecodable >= 290)
        }
    }

    @Test func synchronousTasksRunOffTheCooperativePool() async throws {
        try await Self.withReceiver(register: { broker in
            _ = broker.task("thread") { () throws -> String in currentThreadName() }
            _ = broker.task("asyncThread") { () async throws -> String in currentThreadName() }
        }) { broker, _ in
            broker.push(#"{"task_id": "s", "task_name": "thread", "labels": {}, "args": [], "kwargs": {}}"#)
            broker.push(#"{"task_id": "a", "task_name": "asyncThread", "labels": {}, "args": [], "kwargs": {}}"#)
            let name = try await Self.wait(broker, "s").returnValue?.stringValue ?? ""
            #expect(name.hasPrefix("taskiq-sync-"), "ran on \(name)")
            let asyncName = try await Self.wait(broker, "a").returnValue?.stringValue ?? ""
            #expect(!asyncName.hasPrefix("taskiq-sync-"))
        }
    }

    @Test func timeoutLabelCancelsAsyncTasks() async throws {
        let cancelled = EventStream<Bool>()
        try await Self.withReceiver(register: { broker in
            _ = broker.task("slow") { () async throws -> Int in
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    cancelled.send(true)
                    throw error
                }
                return 1
            }
        }) { broker, _ in
            broker.push(
                #"{"task_id": "t", "task_name": "slow", "labels": {"timeout": "0.05"}, "labels_types": {"timeout": 4}, "args": [], "kwargs": {}}"#
            )
            let result = try await Self.wait(broker, "t")
            #expect(result.isErr)
            #expect(result.error?.name == "TimeoutError")
            #expect(result.error?.module == "builtins")
            #expect(result.executionTime < 30)
            #expect(try await cancelled.first(1) == [true])
        }
    }

    @Test func timeoutLabelAppliesToSynchronousTasks() async throws {
        let release = DispatchSemaphore(value: 0)
        try await Self.withReceiver(register: { broker in
            _ = broker.task("block") { () throws -> Int in
                release.wait()
                return 1
            }
        }) { broker, _ in
            broker.push(#"{"task_id": "b", "task_name": "block", "labels": {"timeout": 0.05}, "args": [], "kwargs": {}}"#)
            let result = try await Self.wait(broker, "b")
            #expect(result.error?.name == "TimeoutError")
            release.signal()
        }
    }

    /// A timed-out (or cancelled) body that ignores cancellation still counts against
    /// max_async_tasks until it really returns: its result is stored at once, but the next task
    /// does not start before the body is done.
    @Test(arguments: [true, false])
    func aBodyStillRunningAfterItsTimeoutKeepsItsSlot(synchronous: Bool) async throws {
        let release = DispatchSemaphore(value: 0)
        let order = Recorder()
        let nextStarted = EventStream<Void>()
        try await Self.withReceiver(
            ReceiverOptions(maxAsyncTasks: 1),
            register: { broker in
                if synchronous {
                    _ = broker.task("stubborn") { () throws -> Int in
                        release.wait()
                        order.record("stubborn returned")
                        return 1
                    }
                } else {
                    _ = broker.task("stubborn") { () async throws -> Int in
                        // Never checks cancellation.
                        await withCheckedContinuation { continuation in
                            DispatchQueue.global().async {
                                release.wait()
                                continuation.resume()
                            }
                        }
                        order.record("stubborn returned")
                        return 1
                    }
                }
                _ = broker.task("next") { () async throws -> Int in
                    order.record("next started")
                    nextStarted.send(())
                    return 2
                }
            }
        ) { broker, receiver in
            broker.push(#"{"task_id": "s", "task_name": "stubborn", "labels": {"timeout": 0.05}, "args": [], "kwargs": {}}"#)
            broker.push(#"{"task_id": "n", "task_name": "next", "labels": {}, "args": [], "kwargs": {}}"#)
            let stubborn = try await Self.wait(broker, "s")
            #expect(stubborn.error == TaskError.timeout, "the result is stored at the deadline")
            // The slot is still taken: "next" must not start while the body runs (a bounded
            // negative check; without the fix it starts within microseconds).
            await #expect(throws: TimedOut.self) { try await nextStarted.first(1, timeout: 0.3) }
            release.signal()
            #expect(try await Self.wait(broker, "n").returnValue == 2)
            #expect(order.all == ["stubborn returned", "next started"])
        }
    }

    /// A `timeout` label no `Duration` can hold (it used to trap the worker with "Overflow in
    /// multiplication") gives the task an error result; the worker goes on with the next task.
    @Test(arguments: [#"1e21"#, #""1e300""#, #"1.7e20"#, #"-1"#, #"0"#, #""NaN""#, #""soon""#, #"9223372036854775807"#])
    func aHostileTimeoutLabelIsAnErrorResultAndTheNextTaskRuns(_ label: String) async throws {
        let ran = Atomic<Int>(0)
        try await Self.withReceiver(
            ReceiverOptions(maxAsyncTasks: 1),
            register: { broker in
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in
                    ran.add(1, ordering: .relaxed)
                    return a + b
                }
            }
        ) { broker, receiver in
            broker.push(#"{"task_id": "hostile", "task_name": "add", "labels": {"timeout": \#(label)}, "args": [1, 2], "kwargs": {}}"#)
            broker.push(#"{"task_id": "next", "task_name": "add", "labels": {"timeout": 5}, "args": [2, 3], "kwargs": {}}"#)
            let hostile = try await Self.wait(broker, "hostile")
            #expect(hostile.isErr)
            #expect(hostile.error?.name == "DurationRangeError")
            #expect(hostile.error?.message.contains("timeout label") == true, "\(hostile.error?.message ?? "")")
            #expect(try await Self.wait(broker, "next").returnValue == 5)
            #expect(ran.load(ordering: .relaxed) == 1, "the hostile task's body did not run")
        }
    }

    @Test(arguments: [true, false])
    func castTypes(_ enabled: Bool) async throws {
        var options = ReceiverOptions()
        options.castTypes = enabled
        try await Self.withReceiver(
            options,
            register: { broker in
                _ = broker.task("add") { (a: Int, b: Int) async throws -> Int in a + b }
            }
        ) { broker, _ in
            broker.push(#"{"task_id": "c", "task_name": "add", "labels": {}, "args": ["5", 2], "kwargs": {}}"#)
            let result = try await Self.wait(broker, "c")
            if enabled {
                #expect(result.returnValue == 7)
            } else {
                #expect(result.isErr)
                let message = result.error?.message ?? ""
                #expect(message.contains("argument 1"), "\(message)")
                #expect(message.contains("expected Int"), "\(message)")
                #expect(message.contains("found string"), "\(message)")
            }
            // A NaN from a Python producer is named as such in the error, not as JSON's null.
            broker.push(#"{"task_id": "n", "task_name": "add", "labels": {}, "args": [NaN, 2], "kwargs": {}}"#)
            let nan = try await Self.wait(broker, "n")
            #expect(nan.error?.message.contains("argument 1 expected Int, found number NaN") == true, "\(String(describing: nan.error))")
        }
    }

    @Test func keywordArgumentsMapOntoDeclaredParameters() async throws {
        try await Self.withReceiver(register: { broker in
            _ = broker.task("sub", parameters: ["a", "b"]) { (a: Int, b: Int) async throws -> Int in a - b }
            _ = broker.task("opt", parameters: ["a", "b"]) { (a: Int, b: Int?) async throws -> Int in a + (b ?? 100) }
        }) { broker, _ in
            let cases: [(String, String, JSONValue?, String?)] = [
                ("k1", #""args": [10], "kwargs": {"b": 3}"#, 7, nil),
                ("k2", #""args": [], "kwargs": {"b": 3, "a": 10}"#, 7, nil),
                ("k3", #""args": [10], "kwargs": {"c": 3}"#, nil, "unexpected keyword argument 'c'"),
                ("k4", #""args": [10], "kwargs": {"a": 3}"#, nil, "multiple values for argument 'a'"),
                ("k5", #""args": [10], "kwargs": {}"#, nil, "missing argument 2 ('b') of type Int"),
                ("k6", #""args": [1, 2, 3], "kwargs": {}"#, nil, "takes 2 arguments but 3 positional were given"),
            ]
            for (id, body, _, _) in cases {
                broker.push(#"{"task_id": "\#(id)", "task_name": "sub", "labels": {}, \#(body)}"#)
            }
            broker.push(#"{"task_id": "o1", "task_name": "opt", "labels": {}, "args": [1], "kwargs": {}}"#)
            for (id, _, expected, reason) in cases {
                let result = try await Self.wait(broker, id)
                if let expected {
                    #expect(result.returnValue == expected, "\(id)")
                } else {
                    #expect(result.isErr)
                    #expect(result.error?.message.contains(reason!) == true, "\(id): \(result.error?.message ?? "")")
                }
            }
            #expect(try await Self.wait(broker, "o1").returnValue == 101)
        }
    }

    @Test(arguments: [AckType.whenReceived, .whenExecuted, .whenSaved])
    func ackTypeDecidesWhenTheDeliveryIsAcknowledged(_ ackType: AckType) async throws {
        let events = EventStream<String>()
        struct SaveProbe: TaskiqMiddleware {
            let events: EventStream<String>
            func postSave(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws { events.send("saved") }
            func postExecute(_ message: TaskiqMessage, result: TaskiqResult<JSONValue>) async throws { events.send("executed") }
        }
        try await Self.withReceiver(
            ReceiverOptions(ackType: ackType), onAck: { events.send("ack:\($0)") },
            register: { broker in
                broker.addMiddlewares([SaveProbe(events: events)])
                _ = broker.task("run") { () async throws -> Int in
                    events.send("running")
                    return 1
                }
            }
        ) { broker, _ in
            broker.push(#"{"task_id": "r", "task_name": "run", "labels": {}, "args": [], "kwargs": {}}"#, id: "r")
            let order = try await events.first(4)
            let expected: [String] =
                switch ackType {
                case .whenReceived: ["ack:r", "running", "executed", "saved"]
                case .whenExecuted: ["running", "ack:r", "executed", "saved"]
                default: ["running", "executed", "saved", "ack:r"]
                }
            #expect(order == expected)
        }
    }

    @Test func ackTypeLabelOverridesTheWorkerSetting() async throws {
        try await Self.withReceiver(
            ReceiverOptions(ackType: .whenSaved),
            register: { broker in
                _ = broker.task("manual") { () async throws -> Int in
                    try await TaskContext.current!.ack()
                    return 1
                }
            }
        ) { broker, _ in
            broker.push(#"{"task_id": "m", "task_name": "manual", "labels": {"ack_type": "MANUAL"}, "args": [], "kwargs": {}}"#, id: "m")
            let acked = try await broker.acks.first(1)
            #expect(acked == ["m"])
            let result = try await Self.wait(broker, "m")
            #expect(result.returnValue == 1)
        }
    }

    @Test func maxAsyncTasksCapsConcurrency() async throws {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let gate = AsyncGate()
        try await Self.withReceiver(
            ReceiverOptions(maxAsyncTasks: 2, maxPrefetch: 1),
            register: { broker in
                _ = broker.task("hold") { () async throws -> Int in
                    let now = running.add(1, ordering: .relaxed).newValue
                    _ = peak.max(now, ordering: .relaxed)
                    await gate.wait()
                    running.subtract(1, ordering: .relaxed)
                    return now
                }
            }
        ) { broker, _ in
            for i in 0..<6 {
                broker.push(#"{"task_id": "h\#(i)", "task_name": "hold", "labels": {}, "args": [], "kwargs": {}}"#)
            }
            try await withTimeout { while running.load(ordering: .relaxed) < 2 { await Task.yield() } }
            await gate.open()
            for i in 0..<6 { _ = try await Self.wait(broker, "h\(i)") }
            #expect(peak.load(ordering: .relaxed) == 2)
        }
    }

    /// With an at-most-once broker (no `release`), deliveries taken ahead still run after stop():
    /// handing them back would lose them.
    @Test func maxPrefetchBoundsDeliveriesTakenAheadAndStopRunsThem() async throws {
        let broker = QueueBroker()
        let started = EventStream<String>()
        let gate = AsyncGate()
        _ = broker.task("hold") { (id: String) async throws -> String in
            started.send(id)
            await gate.wait()
            return id
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: 2, maxPrefetch: 1))
        let running = Task { try await receiver.run() }
        for i in 0..<6 {
            broker.push(
                #"{"task_id": "p\#(i)", "task_name": "hold", "labels": {}, "args": ["p\#(i)"], "kwargs": {}}"#,
                id: "p\(i)")
        }
        // Two run, one more is taken ahead; the other three stay with the broker.
        #expect(Set(try await started.first(2)) == ["p0", "p1"])
        try await withTimeout { while receiver.statistics.received < 3 { await Task.yield() } }
        receiver.stop()
        await gate.open()
        try await withTimeout { try await running.value }
        #expect(receiver.statistics.received == 3)
        #expect(receiver.statistics.succeeded == 3)
        #expect(Set(try await broker.acks.first(3)) == ["p0", "p1", "p2"])
        #expect(try await broker.resultBackend.getResult("p2", withLogs: false).returnValue == "p2")
        receiver.shutdown()
    }

    /// A backlog waiting when the worker starts runs at full max_async_tasks at once (a one-flag
    /// spawn signal ran 60 waiting tasks about 3 at a time).
    @Test(arguments: [60, 200])
    func aBacklogRunsAtFullConcurrencyAtOnce(backlog: Int) async throws {
        let broker = QueueBroker()
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let gate = AsyncGate()
        _ = broker.task("hold") { () async throws -> Int in
            _ = peak.max(running.add(1, ordering: .relaxed).newValue, ordering: .relaxed)
            await gate.wait()
            running.subtract(1, ordering: .relaxed)
            return 1
        }
        for i in 0..<backlog {
            broker.push(#"{"task_id": "b\#(i)", "task_name": "hold", "labels": {}, "args": [], "kwargs": {}}"#)
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: 60))
        let run = Task { try await receiver.run() }
        try await withTimeout(seconds: 30) { while running.load(ordering: .relaxed) < 60 { await Task.yield() } }
        await gate.open()
        for i in 0..<backlog { _ = try await Self.wait(broker, "b\(i)") }
        #expect(peak.load(ordering: .relaxed) == 60)
        broker.close()
        try await withTimeout { try await run.value }
        receiver.shutdown()
    }

    /// After stop() no task starts: deliveries taken ahead go back to a broker that can deliver
    /// them again at once, while the running ones drain.
    @Test func stopHandsBackDeliveriesTakenAheadAndDrainsRunningOnes() async throws {
        let broker = QueueBroker(canRedeliver: true)
        let started = EventStream<String>()
        let gate = AsyncGate()
        _ = broker.task("hold") { (id: String) async throws -> String in
            started.send(id)
            await gate.wait()
            return id
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: 2, maxPrefetch: 2))
        let running = Task { try await receiver.run() }
        for i in 0..<6 {
            broker.push(
                #"{"task_id": "q\#(i)", "task_name": "hold", "labels": {}, "args": ["q\#(i)"], "kwargs": {}}"#,
                id: "q\(i)")
        }
        #expect(Set(try await started.first(2)) == ["q0", "q1"])
        try await withTimeout { while receiver.statistics.received < 4 { await Task.yield() } }
        receiver.stop()
        // Handed back while q0 and q1 still hold both slots.
        #expect(Set(try await broker.releases.first(2)) == ["q2", "q3"])
        await gate.open()
        try await withTimeout { try await running.value }
        #expect(Set(try await broker.acks.first(2)) == ["q0", "q1"])
        let stats = receiver.statistics
        #expect(stats.received == 4)
        #expect(stats.succeeded == 2)
        #expect(stats.handedBack == 2)
        #expect(try await broker.resultBackend.isResultReady("q2") == false)
        receiver.shutdown()
    }

    @Test(arguments: [1, 0])
    func waitTasksTimeoutCancelsStuckTasksAndLeavesQueuedOnesUnacknowledged(maxAsyncTasks: Int) async throws {
        let broker = QueueBroker()
        let started = EventStream<String>()
        let cancelled = EventStream<String>()
        _ = broker.task("stuck") { (id: String) async throws -> String in
            started.send(id)
            do { try await Task.sleep(for: .seconds(3600)) } catch { cancelled.send(id) }
            return id
        }
        let receiver = Receiver(
            broker: broker,
            options: ReceiverOptions(
                maxAsyncTasks: maxAsyncTasks, maxPrefetch: 1, waitTasksTimeout: .milliseconds(50)))
        let running = Task { try await receiver.run() }
        for i in 0..<2 {
            broker.push(
                #"{"task_id": "s\#(i)", "task_name": "stuck", "labels": {}, "args": ["s\#(i)"], "kwargs": {}}"#,
                id: "s\(i)")
        }
        let expectedStarts = maxAsyncTasks == 1 ? 1 : 2
        _ = try await started.first(expectedStarts)
        try await withTimeout { while receiver.statistics.received < 2 { await Task.yield() } }
        receiver.stop()
        try await withTimeout { try await running.value }
        #expect(try await cancelled.first(expectedStarts).count == expectedStarts)
        // With one runner, s1 was taken ahead but never started: it is dropped unacknowledged,
        // so the broker can deliver it again.
        #expect(receiver.statistics.succeeded + receiver.statistics.failed == expectedStarts)
        receiver.shutdown()
    }

    /// A task cut off by the worker's own cancellation (the drain deadline passed) was interrupted,
    /// not failed: never retried or dead-lettered; handed back where the broker can deliver again,
    /// else reported as cancelled.
    @Test(arguments: [true, false])
    func aTaskInterruptedByShutdownIsNeitherRetriedNorDeadLettered(canRedeliver: Bool) async throws {
        let broker = QueueBroker(canRedeliver: canRedeliver)
        let letters = InMemoryDeadLetterQueue()
        broker.addMiddlewares([SimpleRetryMiddleware()])
        broker.withDeadLetterQueue(letters, failedTasks: .all)
        let started = EventStream<String>()
        _ = broker.task("stuck") { (id: String) async throws -> String in
            started.send(id)
            try await Task.sleep(for: .seconds(3600))
            return id
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: 1, waitTasksTimeout: .milliseconds(50)))
        let running = Task { try await receiver.run() }
        broker.push(
            #"{"task_id": "i1", "task_name": "stuck", "labels": {"retry_on_error": true, "max_retries": 3}, "args": ["i1"], "kwargs": {}}"#,
            id: "i1")
        _ = try await started.first(1)
        receiver.stop()
        try await withTimeout { try await running.value }
        #expect(broker.kicked.load(ordering: .relaxed) == 0, "no retry was kicked")
        #expect(letters.count == 0)
        if canRedeliver {
            #expect(try await broker.releases.first(1) == ["i1"])
            #expect(receiver.statistics.interrupted == 1)
            #expect(try await broker.resultBackend.isResultReady("i1") == false, "another worker will store it")
        } else {
            #expect(try await broker.acks.first(1) == ["i1"])
            let result = try await broker.resultBackend.getResult("i1", withLogs: false)
            #expect(result.error?.isCancelled == true)
        }
        receiver.shutdown()
    }

    @Test(arguments: [2, 0])
    func cancellingTheCallerCancelsRunningTasks(maxAsyncTasks: Int) async throws {
        let broker = QueueBroker()
        let started = EventStream<String>()
        let cancelled = EventStream<String>()
        _ = broker.task("stuck") { (id: String) async throws -> String in
            started.send(id)
            do { try await Task.sleep(for: .seconds(3600)) } catch { cancelled.send(id) }
            return id
        }
        let receiver = Receiver(broker: broker, options: ReceiverOptions(maxAsyncTasks: maxAsyncTasks))
        let running = Task { try await receiver.run() }
        for i in 0..<2 {
            broker.push(
                #"{"task_id": "c\#(i)", "task_name": "stuck", "labels": {}, "args": ["c\#(i)"], "kwargs": {}}"#,
                id: "c\(i)")
        }
        _ = try await started.first(2)
        running.cancel()
        try await withTimeout { try await running.value }
        #expect(Set(try await cancelled.first(2)) == ["c0", "c1"])
        receiver.shutdown()
    }

    @Test func stopDrainsRunningTasks() async throws {
        let broker = QueueBroker()
        let started = EventStream<Int>()
        let gate = AsyncGate()
        _ = broker.task("work") { () async throws -> Int in
            started.send(1)
            await gate.wait()
            return 9
        }
        let receiver = Receiver(broker: broker)
        let running = Task { try await receiver.run() }
        broker.push(#"{"task_id": "w", "task_name": "work", "labels": {}, "args": [], "kwargs": {}}"#)
        _ = try await started.first(1)
        receiver.stop()
        await gate.open()
        try await withTimeout { try await running.value }
        #expect(try await broker.resultBackend.getResult("w", withLogs: false).returnValue == 9)
        receiver.shutdown()
    }

    @Test func logsAreCapturedIntoTheResult() async throws {
        let broker = InMemoryBroker(logsFormat: "%(levelname)s %(task_name)s %(message)s")
        let chatty = broker.task("chatty") { () async throws -> Int in
            TaskContext.current?.logger.warning("hello from the task")
            return 1
        }
        let handle = try await chatty.kiq()
        let result = try await handle.waitResult(timeout: .seconds(5), withLogs: true)
        #expect(result.log?.contains("WARNING chatty hello from the task") == true, "\(result.log ?? "nil")")
        #expect(try await handle.getResult(withLogs: false).log == nil)
    }

    @Test func argumentsOfWrongShapeBecomeErrorResults() async throws {
        let broker = InMemoryBroker()
        struct Point: Codable, Sendable {
            var x: Int
            var y: Int
        }
        let norm = broker.task("norm") { (p: Point) async throws -> Int in abs(p.x) + abs(p.y) }
        #expect(try await norm.kiq(Point(x: 3, y: -4)).waitResult(timeout: .seconds(5)).returnValue == 7)
        let raw = TaskiqMessage(taskID: "bad", taskName: "norm", args: [["x": 1]])
        try await broker.kick(raw)
        let result = try await broker.resultBackend.waitResult("bad", timeout: .seconds(5), withLogs: false)
        #expect(result.isErr)
        #expect(result.error?.message.contains("argument 1") == true)
    }

    @Test func unknownTaskIsRefusedByTheInMemoryBroker() async throws {
        let broker = InMemoryBroker()
        await #expect(throws: TaskiqError.self) {
            try await broker.kick(TaskiqMessage(taskID: "x", taskName: "nope"))
        }
    }
}

/// The OS name of the current thread.
func currentThreadName() -> String {
    SyncTaskPoolTests.osThreadName()
}

extension ReceiverTests {
    /// Python's `json.dumps` (and our own formatter) writes non-finite floats as `NaN`/`Infinity`:
    /// a worker reads them as Python does instead of refusing its own producers' messages, and a
    /// non-finite duration is still refused by the range check.
    @Test func nonFiniteNumbersInMessagesAreReadAsPythonReadsThem() async throws {
        try await Self.withReceiver(register: { broker in
            _ = broker.task("echo") { (v: [Double]) async throws -> Int in v.filter { !$0.isFinite }.count }
        }) { broker, _ in
            broker.push(
                #"{"task_id": "nf", "task_name": "echo", "labels": {}, "args": [[NaN, Infinity, -Infinity, 1e400, 1.5]], "kwargs": {}}"#)
            #expect(try await Self.wait(broker, "nf").returnValue == 4)
            broker.push(#"{"task_id": "nt", "task_name": "echo", "labels": {"timeout": NaN}, "args": [[]], "kwargs": {}}"#)
            let refused = try await Self.wait(broker, "nt")
            #expect(refused.isErr && "\(refused.error.map(String.init(describing:)) ?? "")".contains("timeout label"))
        }
    }

    @Test func aSwiftProducersNonFiniteArgumentReachesASwiftWorker() async throws {
        let broker = InMemoryBroker()
        let count = broker.task("count") { (v: [Double]) async throws -> Int in v.filter { !$0.isFinite }.count }
        #expect(try await count.kiq([.nan, .infinity, 2]).waitResult(timeout: .seconds(10)).returnValue == 2)
        try await broker.shutdown()
    }
}
