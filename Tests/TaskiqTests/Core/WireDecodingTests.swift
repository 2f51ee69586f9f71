import Testing

@testable import Taskiq

/// The message decoder reads the message object's members straight into their fields instead of
/// building the JSON tree first: it must decide every input exactly as the tree does, with the
/// same message or the same error, down to the wording and the byte offset.
@Suite struct WireDecodingTests {
    static let id = "0123456789abcdef0123456789abcdef"

    static let inputs: [String] = [
        // Accepted.
        #"{"task_id": "\#(id)", "task_name": "m:add", "labels": {}, "labels_types": {}, "args": [1, 2], "kwargs": {}}"#,
        #"{"task_id":"\#(id)","task_name":"m:add","labels":{"priority":"5","retry_on_error":"True","delay":"1.5"},"labels_types":{"priority":2,"retry_on_error":5,"delay":4},"args":[1],"kwargs":{"b":"\u00e9"}}"#,
        " \n\t{ \"kwargs\" : {\"x\": [null, true, false, 1e400, NaN, -Infinity]} , \"args\" : [ ] , \"labels\" : { } , \"task_name\" : \"m:é\" , \"task_id\" : \"x\" } \r\n",
        #"{"task_id": "first", "task_id": "last", "task_name": "m:add", "labels": {}, "args": [], "kwargs": {}}"#,
        #"{"task\u005fid": "escaped key", "task_name": "m:add", "labels": {}, "args": [], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {}, "labels_types": null, "args": [], "kwargs": {}, "unknown": {"a": [[[1]]]}, "é": 1}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {"b": "AAE="}, "labels_types": {"b": 6}, "args": [], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {"timeout": 5}, "args": [{"a": {"b": [1, [2, [3]]]}}], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {}, "args": [[[[[[[[[[[[[[1]]]]]]]]]]]]]], "kwargs": {}}"#,
        // Not a message.
        "{}",
        "  {  }  ",
        #"{"task_id": 5, "task_name": "m:add", "labels": {}, "args": [], "kwargs": {}}"#,
        #"{"task_id": null, "task_name": "m:add", "labels": {}, "args": [], "kwargs": {}}"#,
        #"{"task_name": "m:add", "labels": {}, "args": [], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": [], "args": [], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {}, "args": {}, "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {}, "args": [], "kwargs": []}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {}, "labels_types": [], "args": [], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {"a": "1"}, "labels_types": {"a": 9}, "args": [], "kwargs": {}}"#,
        #"{"task_id": "x", "task_name": "m:add", "labels": {"a": "x"}, "labels_types": {"a": 2}, "args": [], "kwargs": {}}"#,
        "[]", "[1, 2]", "\"text\"", "5", "null", "true",
        // Not JSON.
        "", "   ", "{", "{\"", "{\"task_id\"", "{\"task_id\":", "{\"task_id\": \"x\"", "{\"task_id\": \"x\",",
        "{\"task_id\": \"x\",}", "{\"task_id\" \"x\"}", "{task_id: 1}", "{\"a\": 1} x", "{\"a\": 1}}", "{\"a\": 01}",
        "{\"a\": [1,]}", "{\"a\": tru}", "{\"a\": \"\u{01}\"}", "{\"a\u{01}\": 1}", "{\"a\\q\": 1}", "{\"a\\u12\": 1}",
        "{,}", "{\"a\": 1 \"b\": 2}", "nul", "{\"a\": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}",
        "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": {\"g\": {\"h\": {\"i\": {\"j\": {\"k\": {\"l\": {\"m\": {\"n\": {\"o\": {\"p\": {}}}}}}}}}}}}}}}}}}",
    ]

    @Test(arguments: inputs)
    func decidesAsTheTreeDoes(_ input: String) throws {
        // A small depth limit, so that nesting is judged both ways near it.
        let parser = JSONParser(maximumDepth: 16, maximumInputSize: Int.max, allowNonFinite: true)
        let bytes = Array(input.utf8)
        let direct = Result { try TaskiqMessage(wireBytes: bytes, parser: parser) }
        let viaTree = Result { try TaskiqMessage(wireValue: try parser.parse(bytes)) }
        switch (direct, viaTree) {
        case (.success(let a), .success(let b)):
            // Compared as written, since NaN is not equal to itself.
            #expect(try JSONFormatter().dumps(a).message == JSONFormatter().dumps(b).message)
            #expect(a.labels.keys.sorted() == b.labels.keys.sorted() && a.bytesLabels == b.bytesLabels)
        case (.failure(let a), .failure(let b)):
            #expect(String(describing: a) == String(describing: b))
            #expect(type(of: a) == type(of: b))
        default:
            Issue.record("direct \(direct), tree \(viaTree)")
        }
    }

    @Test func invalidUTF8InAKeyIsRejectedAsByTheTree() {
        let parser = JSONParser(allowNonFinite: true)
        for bytes: [UInt8] in [[0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D]] {
            let direct = Result { try TaskiqMessage(wireBytes: bytes, parser: parser) }
            let viaTree = Result { try parser.parse(bytes) }
            guard case .failure(let a) = direct, case .failure(let b) = viaTree else {
                Issue.record("accepted \(bytes)")
                continue
            }
            #expect(String(describing: a) == String(describing: b))
        }
    }

    @Test func theReadMessageKeepsTheLastOfARepeatedMemberAndTheBytesLabel() throws {
        let bytes = Array(
            #"{"task_id": "a", "task_name": "m:t", "task_id": "b", "labels": {"k": "AAE="}, "labels_types": {"k": 6}, "args": [1], "kwargs": {"x": 2}}"#
                .utf8)
        let message = try JSONFormatter().loads(bytes, limits: MessageLimits())
        #expect(message.taskID == "b")
        #expect(message.bytesLabels == ["k"])
        #expect(message.args == [1])
        #expect(message.kwargs == ["x": 2])
    }

    @Test func depthPastTheLimitIsAMessageLimitError() {
        let limits = MessageLimits(maxDepth: 3)
        let at = Array(#"{"task_id": "x", "task_name": "m:t", "labels": {}, "args": [[1]], "kwargs": {}}"#.utf8)
        let past = Array(#"{"task_id": "x", "task_name": "m:t", "labels": {}, "args": [[[1]]], "kwargs": {}}"#.utf8)
        #expect(throws: Never.self) { try JSONFormatter().loads(at, limits: limits) }
        #expect(throws: MessageLimitError.self) { try JSONFormatter().loads(past, limits: limits) }
    }
}
