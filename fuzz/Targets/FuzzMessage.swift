import Taskiq

/// The message decoder: one input is the bytes a broker delivered, or a value read from a
/// result backend. Every input goes through both decoders.
///
/// The message decoder reads the message object's members straight into their fields; it must
/// decide exactly as decoding the whole JSON tree does, with the same message or the same error.
///
/// Beyond "never traps", what decodes must survive a round trip: a message written back with
/// either formatter style decodes to one that writes the same bytes, and so does a result.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    checkMessage(bytes)
    checkResult(bytes)
    return 0
}

private func checkMessage(_ bytes: [UInt8]) {
    let parser = JSONParser(maximumDepth: 16, maximumInputSize: Int.max, allowNonFinite: true)
    let direct = Result { try TaskiqMessage(wireBytes: bytes, parser: parser) }
    let viaTree = Result { try TaskiqMessage(wireValue: try parser.parse(bytes)) }
    switch (direct, viaTree) {
    case (.success(let a), .success(let b)):
        // Compared as written, since NaN is not equal to itself.
        let written = (try? JSONFormatter().dumps(a).message, try? JSONFormatter().dumps(b).message)
        expect(
            written.0 == written.1 && a.bytesLabels == b.bytesLabels,
            "the direct decoder read \(a), the tree \(b), from \(text(bytes))")
    case (.failure(let a), .failure(let b)):
        expect("\(a)" == "\(b)", "the direct decoder threw '\(a)', the tree '\(b)', for \(text(bytes))")
    default:
        fatalError("the direct decoder and the tree disagree on \(text(bytes)): \(direct) against \(viaTree)")
    }
    let message: TaskiqMessage
    do {
        message = try JSONFormatter().loads(bytes)
    } catch let error as TaskiqError {
        expect(error.code == .invalidMessage, "loads threw \(error.code), expected invalidMessage")
        return
    } catch {
        fatalError("loads threw \(type(of: error)), expected TaskiqError: \(error)")
    }
    // A label of type ANY is written as Python's str() of it and read back as that string, as
    // in taskiq, so the first round trip may retype labels; from then on the bytes are stable.
    for style in [JSONFormatter.Style.python, .compact] {
        let formatter = JSONFormatter(style: style)
        do {
            let first = try formatter.loads(try formatter.dumps(message).message)
            let written = try formatter.dumps(first)
            let again = try formatter.loads(written.message)
            let rewritten = try formatter.dumps(again)
            expect(
                rewritten.message == written.message,
                "\(style) round trip changed the message: \(text(written.message)) became \(text(rewritten.message))")
            expect(
                first.taskID == message.taskID && first.taskName == message.taskName
                    && JSONValue.array(first.args).serialized() == JSONValue.array(message.args).serialized()
                    && JSONValue.object(first.kwargs).serialized() == JSONValue.object(message.kwargs).serialized(),
                "\(style) round trip changed the task ID, name or arguments")
        } catch {
            fatalError("a decoded message does not survive a \(style) round trip: \(error)")
        }
    }
}

private func checkResult(_ bytes: [UInt8]) {
    // As RedisResultBackend reads stored values: Python's json.dumps may write NaN and Infinity.
    let parser = JSONParser(allowNonFinite: true)
    guard let value = try? parser.parse(bytes) else { return }
    let written = value.serialized(style: .python)
    guard let reparsed = try? parser.parse(written) else {
        fatalError("the writer's output does not parse again: \(text(written))")
    }
    expect(reparsed.serialized(style: .python) == written, "JSON round trip changed \(text(written))")

    let result: TaskiqResult<JSONValue>
    do {
        result = try TaskiqResult<JSONValue>(wireValue: value)
    } catch {
        expect(error.code == .invalidResult, "TaskiqResult threw \(error.code), expected invalidResult")
        return
    }
    let stored = result.wireValue.serialized(style: .python)
    do {
        let again = try TaskiqResult<JSONValue>(wireValue: try parser.parse(stored))
        expect(again.wireValue.serialized(style: .python) == stored, "result round trip changed \(text(stored))")
    } catch {
        fatalError("a decoded result does not survive a round trip: \(error); written as \(text(stored))")
    }
}

private func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.prefix(2000), as: UTF8.self)
}
