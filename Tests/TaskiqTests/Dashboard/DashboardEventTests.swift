import Testing

@testable import Taskiq

/// The events' paths and bodies are those of taskiq-dashboard's Python `DashboardMiddleware`.
@Suite struct DashboardEventTests {
    static let message = TaskiqMessage(
        taskID: "0123456789abcdef0123456789abcdef", taskName: "examples.add",
        labels: ["retry_on_error": true], args: [1, "two"], kwargs: ["c": 3])

    private func text(_ event: DashboardEvent) -> String {
        String(decoding: JSONValue.object(event.body).serialized(style: .compact), as: UTF8.self)
    }

    @Test func queuedAndStartedCarryTheMessageInPythonsKeyOrder() {
        let queued = DashboardEvent.queued(Self.message, worker: "default_broker", at: "2026-12-06T22:46:11.123456")
        #expect(queued.path == "/api/tasks/0123456789abcdef0123456789abcdef/queued")
        #expect(
            text(queued)
                == #"{"args":[1,"two"],"kwargs":{"c":3},"labels":{"retry_on_error":true},"queuedAt":"2026-12-06T22:46:11.123456","taskName":"examples.add","worker":"default_broker"}"#
        )
        let started = DashboardEvent.started(Self.message, worker: "w", at: "2026-12-06T22:46:12")
        #expect(started.path.hasSuffix("/started"))
        #expect(text(started).contains(#""startedAt":"2026-12-06T22:46:12","taskName":"examples.add","worker":"w"}"#))
    }

    @Test func executedCarriesTheResultOrThePythonReprOfTheError() {
        let success = TaskiqResult<JSONValue>(isErr: false, returnValue: ["total": 3], executionTime: 0.25)
        let done = DashboardEvent.executed(Self.message, result: success, at: "2026-12-06T22:46:13")
        #expect(done.path.hasSuffix("/executed"))
        #expect(
            text(done)
                == #"{"finishedAt":"2026-12-06T22:46:13","executionTime":0.25,"error":null,"returnValue":{"return_value":{"total":3}}}"#)
        let failure = TaskiqResult<JSONValue>(
            isErr: true, returnValue: nil, executionTime: 1,
            error: TaskError(name: "ValueError", arguments: ["it's bad", 2]))
        #expect(
            text(.executed(Self.message, result: failure, at: "t")).contains(
                #""error":"ValueError(\"it's bad\", 2)","returnValue":{"return_value":null}"#))
    }

    /// taskiq-dashboard 0.5.2's list page fails on bare scalar results; they go as JSON text.
    @Test func scalarResultsGoAsJSONText() {
        let cases: [(JSONValue, JSONValue)] = [
            (.int(3), .string("3")),
            (.string("ok"), .string("\"ok\"")),
            (.bool(true), .string("true")),
            (.null, .null),
            ([1, 2], [1, 2]),
            (["a": 1], ["a": 1]),
        ]
        for (value, sent) in cases {
            #expect(DashboardEvent.storableResult(value) == sent)
        }
    }

    @Test(arguments: [
        ("0123456789abcdef0123456789ABCDEF", true),
        ("01234567-89ab-cdef-0123-456789abcdef", true),
        ("0123456789abcdef0123456789abcde", false),
        ("01234567-89ab-cdef-0123_456789abcdef", false),
        ("order-17", false),
        ("", false),
        ("0123456789abcdef0123456789abcdeg", false),
    ])
    func recognisesUUIDs(id: String, isUUID: Bool) {
        #expect(DashboardEvent.isUUID(id) == isUUID)
    }

    @Test func timestampsAreNaiveUTCIsoformat() {
        #expect(DashboardTimestamp.format(seconds: 1_796_597_171, nanoseconds: 123_456_789) == "2026-12-06T22:46:11.123456")
        #expect(DashboardTimestamp.format(seconds: 0, nanoseconds: 0) == "1970-01-01T00:00:00")
        #expect(DashboardTimestamp.format(seconds: 951_782_400, nanoseconds: 1000) == "2000-02-29T00:00:00.000001")
    }
}
