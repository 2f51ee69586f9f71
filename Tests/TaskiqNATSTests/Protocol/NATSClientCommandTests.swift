import Taskiq
import TaskiqNATS
import Testing

@Suite struct NATSClientCommandTests {
    private func text(_ build: (inout [UInt8]) -> Void) -> String {
        var buffer: [UInt8] = []
        build(&buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func subscribeWithAndWithoutAQueueGroup() {
        #expect(
            text { NATSClientCommand.subscribe(subject: "taskiq_tasks", queueGroup: "taskiq_workers", sid: 1, into: &$0) }
                == "SUB taskiq_tasks taskiq_workers 1\r\n")
        // nats-py writes "SUB taskiq_tasks  1"; a single space is what the protocol documents.
        #expect(
            text { NATSClientCommand.subscribe(subject: "taskiq_tasks", queueGroup: nil, sid: 1, into: &$0) }
                == "SUB taskiq_tasks 1\r\n")
        #expect(
            text { NATSClientCommand.subscribe(subject: "_INBOX.abc.*", queueGroup: "", sid: 18_446_744_073_709_551_615, into: &$0) }
                == "SUB _INBOX.abc.* 18446744073709551615\r\n")
    }

    @Test func unsubscribe() {
        #expect(text { NATSClientCommand.unsubscribe(sid: 7, max: nil, into: &$0) } == "UNSUB 7\r\n")
        #expect(text { NATSClientCommand.unsubscribe(sid: 7, max: 1, into: &$0) } == "UNSUB 7 1\r\n")
        #expect(text { NATSClientCommand.unsubscribe(sid: 0, max: 0, into: &$0) } == "UNSUB 0 0\r\n")
        #expect(text { NATSClientCommand.unsubscribe(sid: 7, max: -3, into: &$0) } == "UNSUB 7\r\n")
    }

    @Test func pingAndPong() {
        #expect(text { NATSClientCommand.ping(into: &$0) } == "PING\r\n")
        #expect(text { NATSClientCommand.pong(into: &$0) } == "PONG\r\n")
    }

    @Test func publishWithoutHeaders() {
        #expect(
            text { NATSClientCommand.publish(subject: "taskiq_tasks", replyTo: nil, headers: nil, payload: Array("hello".utf8), into: &$0) }
                == "PUB taskiq_tasks 5\r\nhello\r\n")
        #expect(
            text {
                NATSClientCommand.publish(
                    subject: "$JS.API.STREAM.INFO.s", replyTo: "_INBOX.x.1", headers: nil, payload: [UInt8](), into: &$0)
            }
                == "PUB $JS.API.STREAM.INFO.s _INBOX.x.1 0\r\n\r\n")
        // An ack: an empty payload to the delivery's reply subject, with no reply of our own.
        #expect(
            text {
                NATSClientCommand.publish(
                    subject: "$JS.ACK.taskiq_jetstream.taskiq_durable.1.1.1.1796393326933400598.0", replyTo: "", headers: nil,
                    payload: "".utf8, into: &$0)
            }
                == "PUB $JS.ACK.taskiq_jetstream.taskiq_durable.1.1.1.1796393326933400598.0 0\r\n\r\n")
    }

    @Test func publishWithLabelsAsHeaders() {
        var headers = NATSHeaders()
        headers.append(name: "priority", value: "5")
        headers.append(name: "custom", value: "hello")
        #expect(
            text { NATSClientCommand.publish(subject: "subj", replyTo: "reply", headers: headers, payload: Array("hello".utf8), into: &$0) }
                == "HPUB subj reply 40 45\r\nNATS/1.0\r\npriority: 5\r\ncustom: hello\r\n\r\nhello\r\n")
    }

    @Test func publishWithAnEmptyHeaderBlockWritesNoEmptyReply() {
        let payload = Array(CapturedNATSLines.taskJSON.utf8)
        // nats-py: "HPUB taskiq_tasks  12 153"; we write one space and leave the empty reply out.
        #expect(
            text { NATSClientCommand.publish(subject: "taskiq_tasks", replyTo: "", headers: NATSHeaders(), payload: payload, into: &$0) }
                == "HPUB taskiq_tasks 12 153\r\nNATS/1.0\r\n\r\n" + CapturedNATSLines.taskJSON + "\r\n")
        #expect(
            text { NATSClientCommand.publish(subject: "taskiq_tasks", replyTo: nil, headers: NATSHeaders(), payload: payload, into: &$0) }
                .hasPrefix("HPUB taskiq_tasks 12 153\r\n"))
    }

    @Test func commandsAppendToWhatIsThere() {
        var buffer = Array("PING\r\n".utf8)
        NATSClientCommand.publish(subject: "a", replyTo: nil, headers: nil, payload: ArraySlice([1, 2, 3]), into: &buffer)
        NATSClientCommand.pong(into: &buffer)
        #expect(buffer == Array("PING\r\nPUB a 3\r\n".utf8) + [1, 2, 3] + Array("\r\nPONG\r\n".utf8))
    }

    @Test func connectSendsTheDefaultsNatsPySends() throws {
        var buffer: [UInt8] = []
        NATSClientCommand.connect(NATSConnectOptions(), into: &buffer)
        let line = String(decoding: buffer, as: UTF8.self)
        #expect(
            line
                == #"CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"lang":"swift","version":"0.1.0","protocol":1,"echo":true,"headers":true,"no_responders":true}"#
                + "\r\n")
    }

    @Test func connectCarriesCredentialsAndOmitsWhatIsUnset() throws {
        var options = NATSConnectOptions()
        options.user = "taskiq"
        options.password = "s3cr\"et"
        options.name = "worker-1"
        options.verbose = true
        let json = try JSONValue(parsing: options.json())
        let object = try #require(json.objectValue)
        #expect(
            object.keys == [
                "verbose", "pedantic", "tls_required", "user", "pass", "name", "lang", "version",
                "protocol", "echo", "headers", "no_responders",
            ])
        #expect(object["pass"] == "s3cr\"et")
        #expect(object["verbose"] == true)
        #expect(object["protocol"] == 1)

        var token = NATSConnectOptions()
        token.authToken = "t0k3n"
        token.echo = false
        let tokenObject = try #require(try JSONValue(parsing: token.json()).objectValue)
        #expect(tokenObject["auth_token"] == "t0k3n")
        #expect(tokenObject["echo"] == false)
        #expect(tokenObject["user"] == nil && tokenObject["pass"] == nil && tokenObject["name"] == nil)
    }

    @Test func publishedBytesParseBackAsADelivery() throws {
        var headers = NATSHeaders(fields: [NATSHeaderField(name: "priority", value: "5")])
        headers.append(name: "Nats-Msg-Id", value: "abc")
        var buffer: [UInt8] = []
        NATSClientCommand.publish(subject: "taskiq_tasks", replyTo: "_INBOX.r", headers: headers, payload: Array("{}".utf8), into: &buffer)
        // The server turns "HPUB <subject> ..." into "HMSG <subject> <sid> ...".
        let publish = String(decoding: buffer, as: UTF8.self)
        let delivery = publish.replacingFirst("HPUB taskiq_tasks", with: "HMSG taskiq_tasks 3")
        let result = CapturedNATSLines.parse(Array(delivery.utf8), chunk: 1)
        #expect(result.error == nil)
        #expect(
            result.operations == [
                .message(NATSMessage(subject: "taskiq_tasks", sid: 3, replyTo: "_INBOX.r", headers: headers, payload: Array("{}".utf8)))
            ])
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
