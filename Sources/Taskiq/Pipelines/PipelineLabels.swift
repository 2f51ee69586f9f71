#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The two labels that carry a pipeline, as taskiq-pipelines names them.
///
/// `_pipe_current_step` is the index of the step the message runs; `_pipe_data` is the JSON list
/// of all steps, sent as bytes (label type 6, base64 on the wire) as Python sends it: Python's
/// middleware reads it with `bytes.decode()`, so a string label would stop the pipeline there.
/// Plain JSON text is read too.
enum PipelineLabels {
    /// The current step's index.
    static let currentStep = "_pipe_current_step"
    /// The serialized steps.
    static let data = "_pipe_data"
    /// The largest `_pipe_data` read, in bytes (1 MiB).
    static let maximumDataSize = 1 << 20

    /// Sets the pipeline labels on a step's message, in taskiq-pipelines' order for that step kind:
    /// the step index as an integer, the steps as bytes (base64 on the wire, type code 6), because
    /// Python's JSON serializer reads `_pipe_data` with `bytes.decode()`.
    static func apply(to message: inout TaskiqMessage, step: Int, data: String, dataFirst: Bool) {
        let base64 = Data(data.utf8).base64EncodedString()
        if dataFirst { message.setBytesLabel(Self.data, base64: base64) }
        message.setLabel(currentStep, .int(step))
        if !dataFirst { message.setBytesLabel(Self.data, base64: base64) }
    }

    /// The JSON text of the steps.
    static func encode(_ steps: [PipelineStep]) -> String {
        String(decoding: JSONValue.array(steps.map(\.wireValue)).serialized(), as: UTF8.self)
    }

    /// The JSON text of a `_pipe_data` label: the label itself, or its base64 decoded as Python sends bytes.
    static func text(of label: JSONValue) throws(PipelineError) -> String {
        guard let text = label.stringValue else {
            throw PipelineError(.invalidPipeline, "label \(data) is \(label.typeName), expected a string")
        }
        guard text.utf8.count <= maximumDataSize else {
            throw PipelineError(.invalidPipeline, "label \(data) has \(text.utf8.count) bytes, more than \(maximumDataSize)")
        }
        var json = text
        if text.utf8.first != UInt8(ascii: "[") {
            guard let bytes = Data(base64Encoded: text) else {
                throw PipelineError(.invalidPipeline, "label \(data) is neither a JSON list nor base64")
            }
            json = String(decoding: bytes, as: UTF8.self)
        }
        return json
    }

    /// Reads the steps from the JSON text of a `_pipe_data` label.
    static func decode(_ json: String) throws(PipelineError) -> [PipelineStep] {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: json)
        } catch {
            throw PipelineError(.invalidPipeline, "label \(data) is not JSON: \(error)")
        }
        guard let list = value.arrayValue else {
            throw PipelineError(.invalidPipeline, "label \(data) holds \(value.typeName), expected a list of steps")
        }
        var steps: [PipelineStep] = []
        for item in list { steps.append(try PipelineStep(wireValue: item)) }
        return steps
    }

    /// The step index in `_pipe_current_step`, if the label is present and an integer.
    static func currentStep(of message: TaskiqMessage) -> Int? {
        guard let label = message.labels[currentStep] else { return nil }
        if let index = label.intValue { return index }
        return label.stringValue.flatMap { Int($0) }
    }
}
