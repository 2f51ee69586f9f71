import Testing

@testable import Taskiq

/// Test vectors from Python taskiq 0.13 (shared/reference/taskiq-python.md §1.3, §2.2, §4.2): the
/// bytes Swift writes must be identical, and Swift must decode them back.
@Suite struct WireFormatTests {
    static let fixedID = "0123456789abcdef0123456789abcdef"

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var message: TaskiqMessage
        var bytes: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "labels priority and retry_on_error",
            message: TaskiqMessage(
                taskID: fixedID, taskName: "exp11:add",
                labels: ["priority": 5, "retry_on_error": true], args: [1, 2]),
            bytes:
                #"{"task_id": "0123456789abcdef0123456789abcdef", "task_name": "exp11:add", "labels": {"priority": "5", "retry_on_error": "True"}, "labels_types": {"priority": 2, "retry_on_error": 5}, "args": [1, 2], "kwargs": {}}"#
        ),
        Vector(
            name: "float label, kwarg, non-ASCII",
            message: TaskiqMessage(
                taskID: fixedID, taskName: "exp11:add",
                labels: ["priority": 5, "retry_on_error": true, "delay": 1.5],
                args: [1], kwargs: ["b": "é"]),
            bytes:
                #"{"task_id": "0123456789abcdef0123456789abcdef", "task_name": "exp11:add", "labels": {"priority": "5", "retry_on_error": "True", "delay": "1.5"}, "labels_types": {"priority": 2, "retry_on_error": 5, "delay": 4}, "args": [1], "kwargs": {"b": "\u00e9"}}"#
        ),
        Vector(
            name: "no labels",
            message: TaskiqMessage(taskID: "c9cc5ce1b2b14c8d928c14c37fc98200", taskName: "myapp:add", args: [1, 2]),
            bytes:
                #"{"task_id": "c9cc5ce1b2b14c8d928c14c37fc98200", "task_name": "myapp:add", "labels": {}, "labels_types": {}, "args": [1, 2], "kwargs": {}}"#
        ),
        Vector(
            name: "task id, queue_name, kwarg",
            message: TaskiqMessage(
                taskID: "my-id", taskName: "myapp:add",
                labels: ["priority": 5, "queue_name": "q1"], args: [1], kwargs: ["b": 2]),
            bytes:
                #"{"task_id": "my-id", "task_name": "myapp:add", "labels": {"priority": "5", "queue_name": "q1"}, "labels_types": {"priority": 2, "queue_name": 3}, "args": [1], "kwargs": {"b": 2}}"#
        ),
        Vector(
            name: "retry labels",
            message: TaskiqMessage(
                taskID: "24a621136bb5428691cef037b7f83763", taskName: "exp5:flaky",
                labels: ["retry_on_error": true, "max_retries": 3, "_retries": 2]),
            bytes:
                #"{"task_id": "24a621136bb5428691cef037b7f83763", "task_name": "exp5:flaky", "labels": {"retry_on_error": "True", "max_retries": "3", "_retries": "2"}, "labels_types": {"retry_on_error": 5, "max_retries": 2, "_retries": 2}, "args": [], "kwargs": {}}"#
        ),
    ]

    @Test(arguments: vectors)
    func encodesPythonBytes(_ vector: Vector) throws {
        let formatted = try JSONFormatter().dumps(vector.message)
        #expect(String(decoding: formatted.message, as: UTF8.self) == vector.bytes)
        #expect(formatted.taskID == vector.message.taskID)
        #expect(formatted.taskName == vector.message.taskName)
    }

    @Test(arguments: vectors)
    func decodesPythonBytes(_ vector: Vector) throws {
        let decoded = try JSONFormatter().loads(Array(vector.bytes.utf8))
        #expect(decoded == vector.message)
        #expect(decoded.orderedLabels.keys == vector.message.orderedLabels.keys)
        // Re-encoding what was decoded gives the same bytes.
        #expect(String(decoding: try JSONFormatter().dumps(decoded).message, as: UTF8.self) == vector.bytes)
    }

    /// The formatter writes messages directly; it must give the bytes of the `wireValue` tree.
    @Test(arguments: [JSONFormatter.Style.python, .compact])
    func directWritingMatchesTheWireValue(style: JSONFormatter.Style) throws {
        var awkward = TaskiqMessage(
            taskID: "id \"quoted\" é", taskName: "naïve:task\n",
            labels: ["z": [1, "two", nil], "a": ["k": 1.5], "n": nil, "s": "ü\u{1F600}"],
            args: [1, -2.5, "x\u{7}y", true, nil, [1, [2]], ["k": "v"]], kwargs: ["é": 1e300])
        awkward.setLabel("later", 7)
        for message in Self.vectors.map(\.message) + [awkward, TaskiqMessage(taskID: "", taskName: "")] {
            let direct = try JSONFormatter(style: style).dumps(message).message
            #expect(direct == message.wireValue.serialized(style: style == .python ? .python : .compact))
        }
    }

    @Test func compactStyleMatchesTaskiqJSONFormatter() throws {
        let bytes = try JSONFormatter(style: .compact).dumps(Self.vectors[0].message).message
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"task_id":"0123456789abcdef0123456789abcdef","task_name":"exp11:add","labels":{"priority":"5","retry_on_error":"True"},"labels_types":{"priority":2,"retry_on_error":5},"args":[1,2],"kwargs":{}}"#
        )
    }

    @Test func labelsAddedLaterKeepWireOrder() throws {
        var message = TaskiqMessage(taskID: "t", taskName: "n", labels: ["b": 1, "a": 2])
        message.setLabel("c", "x")
        message.labels["d"] = true
        #expect(message.orderedLabels.keys == ["b", "a", "c", "d"])
        message.labels["a"] = nil
        #expect(message.orderedLabels.keys == ["b", "c", "d"])
    }

    @Test func typedLabelsWithoutLabelTypesAreKept() throws {
        let decoded = try JSONFormatter().loads(
            Array(
                #"{"task_id": "x", "task_name": "t", "labels": {"timeout": 5, "flag": true, "ratio": 0.5, "X-Taskiq-requeue": "1"}, "args": [], "kwargs": {}}"#
                    .utf8))
        #expect(decoded.labels == ["timeout": 5, "flag": true, "ratio": 0.5, "X-Taskiq-requeue": "1"])
    }

    @Test func labelTypesConvertBack() throws {
        let decoded = try JSONFormatter().loads(
            Array(
                #"{"task_id": "x", "task_name": "t", "labels": {"i": "7", "f": "2.5", "b": "False", "s": "text", "any": "[{'cron': '*/5 * * * *'}]", "bytes": "AAE="}, "labels_types": {"i": 2, "f": 4, "b": 5, "s": 3, "any": 1, "bytes": 6}, "args": [], "kwargs": {}}"#
                    .utf8))
        #expect(decoded.labels["i"] == 7)
        #expect(decoded.labels["f"] == 2.5)
        #expect(decoded.labels["b"] == false)
        #expect(decoded.labels["s"] == "text")
        #expect(decoded.labels["any"] == "[{'cron': '*/5 * * * *'}]")
        #expect(decoded.labels["bytes"] == "AAE=")
    }

    @Test func anyLabelsUsePythonRepr() throws {
        let message = TaskiqMessage(taskID: "x", taskName: "t", labels: ["schedule": [["cron": "*/5 * * * *"]], "none": nil])
        let text = String(decoding: try JSONFormatter().dumps(message).message, as: UTF8.self)
        #expect(
            text.contains(
                #""labels": {"schedule": "[{'cron': '*/5 * * * *'}]", "none": "None"}, "labels_types": {"schedule": 1, "none": 1}"#))
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var input: String
        var reason: String
        var testDescription: String { reason }
    }

    @Test(arguments: [
        Invalid(input: "not json", reason: "not valid JSON"),
        Invalid(input: "[1, 2]", reason: "expected a JSON object, found array"),
        Invalid(input: #"{"task_name": "t", "labels": {}, "args": [], "kwargs": {}}"#, reason: "missing required field 'task_id'"),
        Invalid(
            input: #"{"task_id": 1, "task_name": "t", "labels": {}, "args": [], "kwargs": {}}"#, reason: "field 'task_id' must be a string"),
        Invalid(
            input: #"{"task_id": "x", "task_name": "t", "labels": [], "args": [], "kwargs": {}}"#,
            reason: "field 'labels' must be an object"),
        Invalid(
            input: #"{"task_id": "x", "task_name": "t", "labels": {}, "args": {}, "kwargs": {}}"#, reason: "field 'args' must be an array"),
        Invalid(input: #"{"task_id": "x", "task_name": "t", "labels": {}, "args": []}"#, reason: "missing required field 'kwargs'"),
        Invalid(
            input: #"{"task_id": "x", "task_name": "t", "labels": {"n": "abc"}, "labels_types": {"n": 2}, "args": [], "kwargs": {}}"#,
            reason: "label 'n' has type code 2"),
        Invalid(
            input: #"{"task_id": "x", "task_name": "t", "labels": {"n": "1"}, "labels_types": {"n": 9}, "args": [], "kwargs": {}}"#,
            reason: "must be a type code from 1 to 6"),
    ])
    func rejectsInvalidMessagesWithTheReason(_ invalid: Invalid) {
        do {
            _ = try JSONFormatter().loads(Array(invalid.input.utf8))
            Issue.record("expected an error for \(invalid.input)")
        } catch let error as TaskiqError {
            #expect(error.code == .invalidMessage)
            #expect(error.message.contains(invalid.reason), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func successResultBytes() throws {
        let result = TaskiqResult<JSONValue>(isErr: false, returnValue: 3, executionTime: 0.0, labels: ["mylabel": 1])
        #expect(
            String(decoding: result.wireValue.serialized(style: .python), as: UTF8.self)
                == #"{"is_err": false, "log": null, "return_value": 3, "execution_time": 0.0, "labels": {"mylabel": 1}, "error": null}"#)
    }

    @Test func errorResultBytes() throws {
        let error = TaskError(name: "ValueError", arguments: ["bad value", 7], module: "builtins")
        let result = TaskiqResult<JSONValue>(isErr: true, returnValue: .null, executionTime: 0.0, error: error)
        #expect(
            String(decoding: result.wireValue.serialized(style: .python), as: UTF8.self)
                == #"{"is_err": true, "log": null, "return_value": null, "execution_time": 0.0, "labels": {}, "error": {"exc_type": "ValueError", "exc_message": ["bad value", 7], "exc_module": "builtins", "exc_cause": null, "exc_context": null, "exc_suppress_context": false}}"#
        )
    }

    @Test func chainedErrorResultRoundTrips() throws {
        let bytes =
            #"{"is_err": true, "log": null, "return_value": null, "execution_time": 0.0, "labels": {}, "error": {"exc_type": "MyErr", "exc_message": ["outer"], "exc_module": "__main__", "exc_cause": {"exc_type": "KeyError", "exc_message": ["inner"], "exc_module": "builtins", "exc_cause": null, "exc_context": null, "exc_suppress_context": false}, "exc_context": null, "exc_suppress_context": true}}"#
        let result = try TaskiqResult<JSONValue>(wireValue: try JSONParser().parse(bytes))
        #expect(result.isErr)
        #expect(result.error?.name == "MyErr")
        #expect(result.error?.message == "outer")
        #expect(result.error?.cause?.error.name == "KeyError")
        #expect(result.error?.suppressContext == true)
        #expect(String(decoding: result.wireValue.serialized(style: .python), as: UTF8.self) == bytes)
    }

    @Test func resultWithoutReturnValueIsRejected() {
        #expect(throws: TaskiqError.self) {
            try TaskiqResult<JSONValue>(wireValue: try JSONParser().parse(#"{"is_err": false, "execution_time": 0.0}"#))
        }
    }
}

extension WireFormatTests {
    /// Non-finite doubles survive both formatter styles (the compact writer once wrote `null`).
    @Test(arguments: [JSONFormatter.Style.python, .compact])
    func nonFiniteArgumentsRoundTrip(style: JSONFormatter.Style) throws {
        let formatter = JSONFormatter(style: style)
        let message = TaskiqMessage(taskID: "t", taskName: "n", args: [.double(.infinity), .double(-.infinity), .double(.nan)])
        let back = try formatter.loads(try formatter.dumps(message).message)
        #expect(back.args[0] == .double(.infinity) && back.args[1] == .double(-.infinity))
        #expect(back.args[2].doubleValue?.isNaN == true)
    }
}
