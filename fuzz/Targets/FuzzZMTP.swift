import Taskiq
import TaskiqZeroMQ

/// The ZMTP state machine, driven as a connection drives it.
///
/// Byte 0 of an input is a control byte: its low nibble picks our socket type, its high nibble
/// how many bytes each `feed` gets (1–16). The rest is what the peer sent, from its greeting on.
/// The stream is fed twice, at once and in chunks, and both runs must see the same events:
/// the machine accepts any split of the stream. Every received message is encoded again and
/// must decode to itself, and the bytes the machine holds stay within its limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZMTP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(start, count)
    guard let control = input.first else { return 0 }
    let types = ZMTPSocketType.allCases
    let options = ZMTPMachine.Options(
        socketType: types[Int(control & 0x0F) % types.count],
        maxFrameSize: 4096, maxMessageSize: 16384, maxFramesPerMessage: 64)
    let stream = input.dropFirst()
    let whole = drive(options, stream, chunk: max(stream.count, 1))
    let split = drive(options, stream, chunk: Int(control >> 4) + 1)
    expect(whole == split, "feeding at once gave \(whole), in chunks of \(Int(control >> 4) + 1) gave \(split)")
    return 0
}

private func drive(_ options: ZMTPMachine.Options, _ stream: ArraySlice<UInt8>, chunk: Int) -> [ZMTPEvent] {
    var machine = ZMTPMachine(options: options)
    expect(machine.greeting().count == 64, "our greeting is not 64 bytes")
    var events: [ZMTPEvent] = []
    var offset = stream.startIndex
    while offset < stream.endIndex {
        let end = min(offset + chunk, stream.endIndex)
        let fed = machine.feed(stream[offset..<end])
        for event in fed { respond(to: event, machine: machine, options: options) }
        events += fed
        expect(
            machine.bufferedByteCount <= options.maxMessageSize + options.maxFrameSize + 9,
            "the machine holds \(machine.bufferedByteCount) bytes, past its limits")
        offset = end
    }
    if let terminal = events.firstIndex(where: \.isTerminal) {
        expect(terminal == events.count - 1, "events followed the terminal \(events[terminal])")
        expect(machine.isClosed && machine.bufferedByteCount == 0, "a closed machine still holds bytes")
    }
    return events
}

/// What a connection does with each event: answer, subscribe, or deliver the message.
private func respond(to event: ZMTPEvent, machine: ZMTPMachine, options: ZMTPMachine.Options) {
    switch event {
    case .greetingReceived:
        _ = machine.ready()
    case .ping(_, let context):
        _ = ZMTPMachine.pong(context: context)
    case .subscribe(let prefix):
        _ = machine.subscribe(prefix)
    case .cancel(let prefix):
        _ = machine.cancel(prefix)
    case .message(let parts):
        expect(!parts.isEmpty, "a message with no frames")
        expectRoundTrip(parts, options: options)
    case .ready, .pong, .error, .failed:
        break
    }
}

/// A message re-encoded and fed to a fresh PULL machine after a PUSH handshake is the same message.
private func expectRoundTrip(_ parts: [[UInt8]], options: ZMTPMachine.Options) {
    var peer = ZMTPMachine(
        options: .init(
            socketType: .pull, maxFrameSize: options.maxFrameSize,
            maxMessageSize: options.maxMessageSize,
            maxFramesPerMessage: options.maxFramesPerMessage))
    var bytes = ZMTPMachine(options: .init(socketType: .push)).greeting() + ZMTPMachine.ready(socketType: .push)
    ZMTPMachine.appendMessage(parts, to: &bytes)
    let events = peer.feed(bytes)
    expect(events.count == 3 && events.last == .message(parts), "re-encoded \(parts) decoded as \(events)")
}
