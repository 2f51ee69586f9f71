import Testing

@testable import Taskiq

@Suite struct OTLPJSONEncoderTests {
    private func fixture() throws -> Span {
        let trace = try #require(TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736"))
        let parent = try #require(SpanID(hex: "00f067aa0ba902b7"))
        var span = Span(
            name: "execute/mod:add", kind: .consumer,
            parent: SpanContext(traceID: trace, spanID: parent, traceState: "vendor=1"),
            startTimeUnixNano: 1_700_000_000_000_000_001)
        span.context.spanID = try #require(SpanID(hex: "b7ad6b7169203331"))
        span.setAttribute("taskiq.action", .string("execute"))
        span.setAttribute("taskiq.timeout", .int(-5))
        span.setAttribute("taskiq.delay", .double(1.5))
        span.setAttribute("taskiq.retry_on_error", .bool(true))
        span.setAttribute("taskiq.action", .string("exe\"cute"))
        span.events.append(
            SpanEvent(
                name: "exception", timeUnixNano: 1_700_000_000_500_000_000,
                attributes: [SpanAttribute("exception.type", .string("ValueError"))]))
        span.status = SpanStatus(.error, message: "boom")
        span.end(at: 1_700_000_001_000_000_000)
        return span
    }

    @Test func encodesOTLPJSONExactly() throws {
        let body = OTLPJSONEncoder(serviceName: "svc").encode([try fixture()])
        let expected =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"#
            + #""scopeSpans":[{"scope":{"name":"taskiq.middlewares.opentelemetry_middleware","version":"0.13.0"},"spans":[{"#
            + #""traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"b7ad6b7169203331","traceState":"vendor=1","#
            + #""parentSpanId":"00f067aa0ba902b7","name":"execute/mod:add","kind":5,"#
            + #""startTimeUnixNano":"1700000000000000001","endTimeUnixNano":"1700000001000000000","attributes":["#
            + #"{"key":"taskiq.action","value":{"stringValue":"exe\"cute"}},"#
            + #"{"key":"taskiq.timeout","value":{"intValue":"-5"}},"#
            + #"{"key":"taskiq.delay","value":{"doubleValue":1.5}},"#
            + #"{"key":"taskiq.retry_on_error","value":{"boolValue":true}}],"#
            + #""events":[{"timeUnixNano":"1700000000500000000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"ValueError"}}]}],"#
            + #""status":{"code":2,"message":"boom"}}]}]}]}"#
        #expect(String(decoding: body, as: UTF8.self) == expected)
    }

    @Test func rootProducerSpanOmitsParentAndEvents() throws {
        var span = Span(name: "send/t", kind: .producer, parent: nil, startTimeUnixNano: 10)
        span.end(at: 5)  // a clock step back never ends a span before it started
        let text = String(decoding: OTLPJSONEncoder(serviceName: "s").encode([span]), as: UTF8.self)
        #expect(!text.contains("parentSpanId") && !text.contains("events") && !text.contains("traceState"))
        #expect(text.contains(#""kind":4,"#) && text.contains(#""endTimeUnixNano":"10""#) && text.contains(#""status":{}"#))
    }

    @Test func labelValuesBecomeTypedAttributes() {
        #expect(SpanAttributeValue(label: .string("x")) == .string("x"))
        #expect(SpanAttributeValue(label: .int(3)) == .int(3))
        #expect(SpanAttributeValue(label: .bool(false)) == .bool(false))
        #expect(SpanAttributeValue(label: .double(0.25)) == .double(0.25))
        #expect(SpanAttributeValue(label: .double(.nan)) == .string("nan"))
        #expect(SpanAttributeValue(label: .null) == .string("None"))
        #expect(SpanAttributeValue(label: .array([.int(1)])) == .string("[1]"))
    }

    @Test func attributesAreCapped() {
        var span = Span(name: "n", kind: .internal, parent: nil)
        for index in 0..<(Span.attributeLimit + 10) { span.setAttribute("k\(index)", .int(index)) }
        #expect(span.attributes.count == Span.attributeLimit)
    }
}
