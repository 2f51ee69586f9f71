import Taskiq

/// The ZMTP 3.x protocol for one connection as a pure state machine: fed bytes, it returns
/// events; asked for output, it returns bytes. It never touches a socket.
///
/// Stages: greeting (64 bytes, version and NULL mechanism checked) → handshake (the peer's
/// READY, socket types checked) → traffic (messages, subscriptions, heartbeats). Any protocol
/// violation ends in one terminal ``ZMTPEvent/failed(_:)`` and the machine ignores further
/// input. Declared frame sizes are checked against ``Options/maxFrameSize`` before anything is
/// allocated, so the buffered bytes never exceed the largest allowed frame plus one fed chunk.
///
/// The driver must send ``greeting()`` at once, ``ready()`` after
/// ``ZMTPEvent/greetingReceived(_:)``, and messages only after ``ZMTPEvent/ready(_:)``:
/// libzmq closes a connection whose first message arrives before its own READY was sent.
package struct ZMTPMachine: Sendable {
    /// Limits and identity of our side.
    package struct Options: Sendable {
        /// Our socket type, announced in READY and checked against the peer's.
        package var socketType: ZMTPSocketType
        /// An `Identity` property to announce, if any (libzmq sends one only for REQ/DEALER/ROUTER).
        package var identity: [UInt8]?
        /// The largest frame body accepted, checked against the declared size before allocating.
        package var maxFrameSize: Int
        /// The largest multipart message accepted, summed over its frames.
        package var maxMessageSize: Int
        /// The most frames one multipart message may have (bounds zero-length-frame floods).
        package var maxFramesPerMessage: Int
        /// The minor version we announce: 1 (ZMTP 3.1, default) or 0 (3.0).
        package var minorVersion: UInt8

        package init(
            socketType: ZMTPSocketType, identity: [UInt8]? = nil, maxFrameSize: Int = 8 << 20,
            maxMessageSize: Int = 8 << 20, maxFramesPerMessage: Int = 1 << 17, minorVersion: UInt8 = 1
        ) {
            self.socketType = socketType
            self.identity = identity
            self.maxFrameSize = maxFrameSize
            self.maxMessageSize = maxMessageSize
            self.maxFramesPerMessage = maxFramesPerMessage
            self.minorVersion = minorVersion
        }
    }

    private enum Stage: Sendable { case greeting, handshake, traffic, closed }

    /// The options this machine was made with.
    package let options: Options
    /// The peer's greeting, once received.
    package private(set) var peerGreeting: ZMTPGreeting?
    /// The peer's READY properties, once received.
    package private(set) var peerProperties: [ZMTPProperty]?

    private var stage = Stage.greeting
    private var input: [UInt8] = []
    private var cursor = 0
    private var parts: [[UInt8]] = []
    private var partsBytes = 0

    package init(options: Options) {
        self.options = options
    }

    /// Whether the peer's READY has arrived, so messages may be sent.
    package var isReady: Bool { stage == .traffic }
    /// Whether a terminal event has been returned.
    package var isClosed: Bool { stage == .closed }
    /// Bytes held for incomplete frames and messages; bounded by the limits plus one fed chunk.
    package var bufferedByteCount: Int { input.count - cursor + partsBytes }

    // MARK: Input

    /// Consumes bytes from the peer and returns what they completed, in order.
    ///
    /// Accepts any split of the stream, from single bytes to many frames at once. After a
    /// terminal event the rest of the input is discarded.
    package mutating func feed(_ bytes: some Collection<UInt8>) -> [ZMTPEvent] {
        guard stage != .closed else { return [] }
        input.append(contentsOf: bytes)
        var events: [ZMTPEvent] = []
        while stage != .closed {
            let progressed: Bool
            switch stage {
            case .greeting: progressed = readGreeting(into: &events)
            case .handshake, .traffic: progressed = readFrame(into: &events)
            case .closed: progressed = false
            }
            if !progressed { break }
        }
        if stage == .closed {
            input = []
            cursor = 0
            parts = []
            partsBytes = 0
        } else if cursor == input.count {
            input.removeAll(keepingCapacity: input.capacity <= 1 << 16)
            cursor = 0
        } else if cursor > 0 {
            input.removeSubrange(0..<cursor)
            cursor = 0
        }
        return events
    }

    private mutating func fail(_ code: ZMTPProtocolError.Code, _ message: String, into events: inout [ZMTPEvent]) {
        events.append(.failed(ZMTPProtocolError(code, message)))
        stage = .closed
    }

    private mutating func readGreeting(into events: inout [ZMTPEvent]) -> Bool {
        let available = input.count - cursor
        if available >= 1, input[cursor] != 0xFF {
            fail(
                .badSignature, "expected greeting byte 0 to be 0xFF, got \(hex(input[cursor])); the peer does not speak ZMTP", into: &events
            )
            return false
        }
        if available >= 10, input[cursor + 9] & 0x01 == 0 {
            fail(
                .badSignature,
                "expected greeting byte 9 to have bit 0 set (0x7F), got \(hex(input[cursor + 9])); the peer speaks unversioned ZMTP 1.0",
                into: &events)
            return false
        }
        if available >= 11, input[cursor + 10] < 3 {
            let major = input[cursor + 10]
            fail(
                .unsupportedVersion,
                "peer announced ZMTP major version \(major) (\(major == 1 ? "ZMTP 2.0" : "ZMTP 1.0")); ZMTP 3.0 or later is required",
                into: &events)
            return false
        }
        guard available >= ZMTPGreeting.size else { return false }
        let base = cursor
        let mechanismBytes = input[(base + 12)..<(base + 32)]
        let expected = Array("NULL".utf8) + [UInt8](repeating: 0, count: 16)
        if !mechanismBytes.elementsEqual(expected) {
            let name = String(decoding: mechanismBytes.prefix { $0 != 0 }, as: UTF8.self)
            fail(.unsupportedMechanism, "peer offered security mechanism \"\(name)\"; only NULL is supported", into: &events)
            return false
        }
        let greeting = ZMTPGreeting(major: input[base + 10], minor: input[base + 11], mechanism: "NULL", asServer: input[base + 32] != 0)
        cursor += ZMTPGreeting.size
        peerGreeting = greeting
        stage = .handshake
        events.append(.greetingReceived(greeting))
        return true
    }

    private mutating func readFrame(into events: inout [ZMTPEvent]) -> Bool {
        let available = input.count - cursor
        guard available >= 2 else { return false }
        let flags = input[cursor]
        let isLong = flags & 0x02 != 0
        let isCommand = flags & 0x04 != 0
        let hasMore = flags & 0x01 != 0
        let headerSize = isLong ? 9 : 2
        guard available >= headerSize else { return false }
        var declared: UInt64 = 0
        if isLong {
            for index in 1...8 { declared = declared << 8 | UInt64(input[cursor + index]) }
        } else {
            declared = UInt64(input[cursor + 1])
        }
        if declared > UInt64(options.maxFrameSize) {
            fail(
                .frameTooLarge,
                "peer declared a \(declared)-byte \(isCommand ? "command" : "frame"); the limit is \(options.maxFrameSize) bytes",
                into: &events)
            return false
        }
        let size = Int(declared)
        if !isCommand, partsBytes + size > options.maxMessageSize {
            fail(
                .messageTooLarge,
                "peer's multipart message grows past \(options.maxMessageSize) bytes (\(partsBytes) buffered, next frame \(size))",
                into: &events)
            return false
        }
        guard available >= headerSize + size else {
            input.reserveCapacity(cursor + headerSize + size)
            return false
        }
        let start = cursor + headerSize
        let body = Array(input[start..<(start + size)])
        cursor = start + size
        if isCommand {
            if hasMore {
                fail(
                    .malformedCommand, "command frame has the MORE flag set (flags \(hex(flags))); commands are single frames",
                    into: &events)
                return false
            }
            handleCommand(body, into: &events)
        } else {
            handleMessageFrame(body, more: hasMore, into: &events)
        }
        return true
    }

    private mutating func handleMessageFrame(_ body: [UInt8], more: Bool, into events: inout [ZMTPEvent]) {
        guard stage == .traffic else {
            fail(.messageBeforeReady, "peer sent a message frame before its READY command", into: &events)
            return
        }
        if parts.count >= options.maxFramesPerMessage {
            fail(.messageTooLarge, "peer's multipart message has more than \(options.maxFramesPerMessage) frames", into: &events)
            return
        }
        parts.append(body)
        partsBytes += body.count
        guard !more else { return }
        let message = parts
        parts = []
        partsBytes = 0
        if options.socketType.receivesSubscriptions, message.count == 1, let first = message[0].first, first <= 1 {
            let prefix = Array(message[0].dropFirst())
            events.append(first == 1 ? .subscribe(prefix) : .cancel(prefix))
        } else {
            events.append(.message(message))
        }
    }

    private mutating func handleCommand(_ body: [UInt8], into events: inout [ZMTPEvent]) {
        guard let nameLength = body.first.map(Int.init), nameLength + 1 <= body.count else {
            fail(.malformedCommand, "command body of \(body.count) bytes is shorter than its name length", into: &events)
            return
        }
        let name = String(decoding: body[1..<(1 + nameLength)], as: UTF8.self)
        let data = body[(1 + nameLength)...]
        switch (stage, name) {
        case (_, "ERROR"):
            let reason: String
            if let length = data.first, Int(length) <= data.count - 1 {
                reason = String(decoding: data.dropFirst().prefix(Int(length)), as: UTF8.self)
            } else {
                reason = String(decoding: data, as: UTF8.self)
            }
            events.append(.error(reason: reason))
            stage = .closed
        case (.handshake, "READY"):
            guard let properties = Self.parseProperties(data) else {
                fail(.malformedCommand, "READY properties are truncated or have an empty name", into: &events)
                return
            }
            if let value = properties.value(named: ZMTPProperty.socketType) {
                let typeName = String(decoding: value, as: UTF8.self)
                guard let peerType = ZMTPSocketType(rawValue: typeName) else {
                    fail(
                        .incompatibleSocketType,
                        "peer announced unknown Socket-Type \"\(typeName)\"; \(options.socketType.name) expects \(expectedPeers)",
                        into: &events)
                    return
                }
                guard options.socketType.accepts(peer: peerType) else {
                    fail(
                        .incompatibleSocketType,
                        "peer is a \(typeName) socket; \(options.socketType.name) can only talk to \(expectedPeers)", into: &events)
                    return
                }
            }
            peerProperties = properties
            stage = .traffic
            events.append(.ready(properties))
        case (.handshake, _):
            fail(.unexpectedCommand, "expected the peer's READY command, got \"\(printable(name))\"", into: &events)
        case (_, "READY"):
            fail(.unexpectedCommand, "peer sent READY twice", into: &events)
        case (_, "PING"):
            guard data.count >= 2 else {
                fail(.malformedCommand, "PING needs a 2-byte TTL, got \(data.count) bytes", into: &events)
                return
            }
            let ttl = UInt16(data[data.startIndex]) << 8 | UInt16(data[data.startIndex + 1])
            events.append(.ping(ttlDeciseconds: ttl, context: Array(data.dropFirst(2).prefix(16))))
        case (_, "PONG"):
            events.append(.pong(context: Array(data.prefix(16))))
        case (_, "SUBSCRIBE"):
            events.append(.subscribe(Array(data)))
        case (_, "CANCEL"):
            events.append(.cancel(Array(data)))
        default:
            break  // libzmq ignores unknown commands after the handshake.
        }
    }

    private var expectedPeers: String {
        ZMTPSocketType.allCases.filter { options.socketType.accepts(peer: $0) }.map(\.name).joined(separator: " or ")
    }

    static func parseProperties(_ data: ArraySlice<UInt8>) -> [ZMTPProperty]? {
        var properties: [ZMTPProperty] = []
        var index = data.startIndex
        while index < data.endIndex {
            let nameLength = Int(data[index])
            index += 1
            guard nameLength > 0, data.endIndex - index >= nameLength + 4 else { return nil }
            let name = String(decoding: data[index..<(index + nameLength)], as: UTF8.self)
            index += nameLength
            var valueLength = 0
            for offset in 0..<4 { valueLength = valueLength << 8 | Int(data[index + offset]) }
            index += 4
            guard data.endIndex - index >= valueLength else { return nil }
            properties.append(ZMTPProperty(name: name, value: Array(data[index..<(index + valueLength)])))
            index += valueLength
        }
        return properties
    }

    // MARK: Output

    /// Our 64-byte greeting; send it as soon as the connection is up.
    package func greeting() -> [UInt8] {
        ZMTPGreeting(minor: options.minorVersion).bytes
    }

    /// Our READY command; send it after the peer's greeting arrived.
    package func ready() -> [UInt8] {
        Self.ready(socketType: options.socketType, identity: options.identity)
    }

    /// A READY command announcing `socketType` and, if given, an identity.
    package static func ready(socketType: ZMTPSocketType, identity: [UInt8]? = nil) -> [UInt8] {
        var properties = [ZMTPProperty(name: ZMTPProperty.socketType, value: socketType.name)]
        if let identity { properties.append(ZMTPProperty(name: ZMTPProperty.identity, value: identity)) }
        return ready(properties: properties)
    }

    /// A READY command with arbitrary properties.
    package static func ready(properties: [ZMTPProperty]) -> [UInt8] {
        var data: [UInt8] = []
        for property in properties {
            let name = Array(property.name.utf8.prefix(255))
            data.append(UInt8(name.count))
            data.append(contentsOf: name)
            appendBigEndian(UInt32(property.value.count), to: &data)
            data.append(contentsOf: property.value)
        }
        return command(name: "READY", data: data)
    }

    /// The wire bytes of one multipart message; an empty array encodes one empty frame, since
    /// a ZeroMQ message always has at least one.
    package func encode(message parts: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        Self.appendMessage(parts, to: &bytes)
        return bytes
    }

    /// Appends the wire bytes of one multipart message to `buffer`.
    package static func appendMessage(_ parts: [[UInt8]], to buffer: inout [UInt8]) {
        if parts.isEmpty {
            buffer.append(contentsOf: [0, 0])
            return
        }
        for (index, part) in parts.enumerated() {
            appendFrameHeader(more: index < parts.count - 1, command: false, size: part.count, to: &buffer)
            buffer.append(contentsOf: part)
        }
    }

    /// A subscription to `prefix` in the form the peer understands: a SUBSCRIBE command for a
    /// ZMTP 3.1 peer, a `0x01`-prefixed message for a 3.0 peer (or 3.1 before the greeting).
    package func subscribe(_ prefix: [UInt8]) -> [UInt8] {
        Self.subscription(prefix, subscribe: true, commandForm: peerGreeting?.usesSubscriptionCommands ?? true)
    }

    /// The cancellation of one subscription to `prefix`, in the form the peer understands.
    package func cancel(_ prefix: [UInt8]) -> [UInt8] {
        Self.subscription(prefix, subscribe: false, commandForm: peerGreeting?.usesSubscriptionCommands ?? true)
    }

    /// A subscription or cancellation in the chosen form.
    package static func subscription(_ prefix: [UInt8], subscribe: Bool, commandForm: Bool) -> [UInt8] {
        if commandForm {
            return command(name: subscribe ? "SUBSCRIBE" : "CANCEL", data: prefix)
        }
        var bytes: [UInt8] = []
        appendFrameHeader(more: false, command: false, size: prefix.count + 1, to: &bytes)
        bytes.append(subscribe ? 1 : 0)
        bytes.append(contentsOf: prefix)
        return bytes
    }

    /// A PING command with a TTL in deciseconds and up to 16 bytes of context.
    package static func ping(ttlDeciseconds: UInt16 = 0, context: [UInt8] = []) -> [UInt8] {
        var data: [UInt8] = [UInt8(ttlDeciseconds >> 8), UInt8(ttlDeciseconds & 0xFF)]
        data.append(contentsOf: context.prefix(16))
        return command(name: "PING", data: data)
    }

    /// The PONG answering a PING, echoing its context.
    package static func pong(context: [UInt8]) -> [UInt8] {
        command(name: "PONG", data: Array(context.prefix(16)))
    }

    /// An ERROR command; the peer treats it as fatal.
    package static func error(reason: String) -> [UInt8] {
        let reason = Array(reason.utf8.prefix(255))
        return command(name: "ERROR", data: [UInt8(reason.count)] + reason)
    }

    /// A command frame: name length, name, data.
    package static func command(name: String, data: [UInt8]) -> [UInt8] {
        let name = Array(name.utf8.prefix(255))
        var bytes: [UInt8] = []
        appendFrameHeader(more: false, command: true, size: 1 + name.count + data.count, to: &bytes)
        bytes.append(UInt8(name.count))
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: data)
        return bytes
    }

    /// Appends flags and size; LONG exactly when the body exceeds 255 bytes, as libzmq does.
    package static func appendFrameHeader(more: Bool, command: Bool, size: Int, to buffer: inout [UInt8]) {
        var flags: UInt8 = more ? 0x01 : 0
        if command { flags |= 0x04 }
        if size > 255 {
            buffer.append(flags | 0x02)
            appendBigEndian(UInt64(size), to: &buffer)
        } else {
            buffer.append(flags)
            buffer.append(UInt8(size))
        }
    }

    private static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) {
            buffer.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
}

private func printable(_ name: String) -> String {
    String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
}
