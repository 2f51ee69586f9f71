import Synchronization

/// TLS over a ``TCPConnection``: the same ``ByteStream`` surface, so a protocol client reads
/// and writes it as it would plain TCP. Made by ``connect(over:host:peer:configuration:timeout:isCancelled:)``.
///
/// OpenSSL works on memory buffers only; this type moves bytes between them and the socket,
/// so every send keeps `MSG_NOSIGNAL` and no OpenSSL call ever blocks. One lock serialises the
/// OpenSSL calls, which lets the reader thread and a writer thread use the connection at once
/// (an OpenSSL session allows one call at a time); socket I/O happens outside it. Records the
/// reader produces (a TLS 1.3 key update's answer) and a writer's records share one outbound
/// queue, sent in order by whichever thread holds the sending turn.
package final class TLSConnection: ByteStream {
    /// The underlying socket.
    package let tcp: TCPConnection
    let library: TLSLibrary
    let session: Mutex<Session>

    /// OpenSSL's state, touched only under ``session``'s lock (hence `@unchecked Sendable`).
    struct Session: @unchecked Sendable {
        let ssl: OpaquePointer
        /// Ciphertext received, waiting for OpenSSL to read it.
        let input: OpaquePointer
        /// Ciphertext OpenSSL wrote, waiting to be sent.
        let output: OpaquePointer
        /// Ciphertext taken from `output`, to be sent by the thread holding the sending turn.
        var outbound: [UInt8] = []
        var sending = false
        /// Why the session failed: OpenSSL reports a fatal error once, every later read repeats it.
        var failure: String?
        /// Whether any application data arrived: a server that refuses this client's
        /// certificate (or lack of one) under TLS 1.3 does so only after the client's handshake
        /// is done, by ending the session before its first byte.
        var receivedData = false
        /// Set by ``close()``, which freed `ssl` and both buffers: a reader or writer thread still
        /// inside the connection then fails instead of touching freed memory.
        var isFreed = false
    }

    private enum ReadOutcome {
        case data(Int)
        case needInput
        case end
        case failed(String)
    }

    /// Said of a session the server ends before sending any data.
    private let earlyEndHint: String

    init(
        tcp: TCPConnection, library: TLSLibrary, ssl: OpaquePointer, input: OpaquePointer, output: OpaquePointer,
        presentsCertificate: Bool
    ) {
        self.tcp = tcp
        self.library = library
        self.earlyEndHint =
            presentsCertificate
            ? " (the server ended the TLS session before sending any data: does it accept this client's certificate?)"
            : " (the server ended the TLS session before sending any data: does it require a client certificate? set cert_file and key_file)"
        self.session = Mutex(Session(ssl: ssl, input: input, output: output))
    }

    package func sendAll(_ bytes: [UInt8]) throws(TCPError) {
        guard !bytes.isEmpty else { return }
        let chunk = try session.withLock { session throws(TCPError) -> [UInt8]? in
            guard !session.isFreed else { throw TCPError(.sendFailed, reason: "TLS: the connection is closed") }
            library.clearErrors()
            var failure: String?
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = library.sslWrite(
                        session.ssl, buffer.baseAddress! + offset,
                        Int32(clamping: buffer.count - offset))
                    guard written > 0 else {
                        failure = library.takeErrors() ?? "SSL_write failed (\(library.sslGetError(session.ssl, written)))"
                        return
                    }
                    offset += Int(written)
                }
            }
            // A write can be what meets the server's refusal (its alert arrived meanwhile): say
            // what a refusal before any data usually means, as a failed read does.
            if let failure { throw TCPError(.sendFailed, reason: "TLS: \(failure)" + (session.receivedData ? "" : earlyEndHint)) }
            return takeSendingTurn(&session)
        }
        guard let chunk else { return }
        do {
            try transmit(chunk)
        } catch {
            throw TCPError(error.kind, number: error.number, reason: error.reason + hintIfEarly())
        }
    }

    /// ``earlyEndHint`` while no application data arrived, otherwise nothing.
    private func hintIfEarly() -> String {
        session.withLock { $0.receivedData } ? "" : earlyEndHint
    }

    package func receive(into buffer: UnsafeMutableRawBufferPointer) throws(TCPError) -> Int {
        while true {
            var pending: [UInt8]?
            let outcome = session.withLock { session -> ReadOutcome in
                guard !session.isFreed else { return .failed("the connection is closed") }
                library.clearErrors()
                let count = library.sslRead(session.ssl, buffer.baseAddress, Int32(clamping: buffer.count))
                let result = readOutcome(of: count, &session)
                pending = takeSendingTurn(&session)
                return result
            }
            if let pending { try transmit(pending) }
            switch outcome {
            case .data(let count):
                return count
            case .end:
                return 0
            case .failed(let reason):
                throw TCPError(.receiveFailed, reason: "TLS: \(reason)\(hintIfEarly())")
            case .needInput:
                // The buffer is free again: use it for the ciphertext.
                let count: Int
                do {
                    count = try tcp.receive(into: buffer)
                } catch {
                    throw TCPError(error.kind, number: error.number, reason: error.reason + hintIfEarly())
                }
                if count == 0 {
                    let hint = hintIfEarly()
                    if hint.isEmpty { return 0 }
                    throw TCPError(.receiveFailed, reason: "the server closed the connection" + hint)
                }
                feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    /// Waits until a whole record's plaintext is ready, so a server that stalls inside a
    /// record times out here rather than blocking ``receive(into:)``.
    package func waitReadable(timeout: Duration?) -> Bool {
        let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        return withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { scratch -> Bool in
            while true {
                var pending: [UInt8]?
                let outcome = session.withLock { session -> ReadOutcome in
                    guard !session.isFreed else { return .end }  // receive reports it
                    library.clearErrors()
                    var byte: UInt8 = 0
                    let count = library.sslPeek(session.ssl, &byte, 1)
                    let result = readOutcome(of: count, &session)
                    pending = takeSendingTurn(&session)
                    return result
                }
                if let pending { do { try transmit(pending) } catch { return true } }
                guard case .needInput = outcome else { return true }  // data, the end or an error: receive says which
                let remaining = deadline.map { ContinuousClock.now.duration(to: $0) }
                if let remaining, remaining <= .zero { return false }
                guard tcp.waitReadable(timeout: remaining) else { return false }
                guard let count = try? tcp.receive(into: scratch), count > 0 else { return true }
                feed(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            }
        }
    }

    package func shutdown() { tcp.shutdown() }

    /// Sends `close_notify` if the socket still takes it, frees the session and closes the socket.
    /// Only the first call does anything.
    package func close() {
        let goodbye = session.withLock { session -> [UInt8]? in
            guard !session.isFreed else { return nil }
            session.isFreed = true
            library.clearErrors()
            _ = library.sslShutdown(session.ssl)
            drainOutput(&session)
            defer { library.sslFree(session.ssl) }  // frees both memory buffers too
            library.clearErrors()
            return session.outbound
        }
        guard let goodbye else { return }
        if !goodbye.isEmpty { tcp.sendWithoutWaiting(goodbye) }
        tcp.close()
    }

    /// Hands ciphertext received from the socket to OpenSSL.
    func feed(_ bytes: UnsafeRawBufferPointer) {
        session.withLock { session in
            guard !session.isFreed else { return }
            _ = library.bioWrite(session.input, bytes.baseAddress, Int32(bytes.count))
        }
    }

    private func readOutcome(of count: Int32, _ session: inout Session) -> ReadOutcome {
        if count > 0 {
            session.receivedData = true
            return .data(Int(count))
        }
        if let failure = session.failure { return .failed(failure) }
        switch library.sslGetError(session.ssl, count) {
        case TLSLibrary.errorWantRead: return .needInput
        case TLSLibrary.errorZeroReturn: return .end
        case let code:
            let failure = library.takeErrors() ?? "the TLS session failed (SSL_get_error \(code))"
            session.failure = failure
            return .failed(failure)
        }
    }

    /// Moves what OpenSSL wrote to the outbound queue and, when no other thread is sending,
    /// takes the sending turn and the queue's bytes.
    private func takeSendingTurn(_ session: inout Session) -> [UInt8]? {
        drainOutput(&session)
        guard !session.outbound.isEmpty, !session.sending else { return nil }
        session.sending = true
        defer { session.outbound = [] }
        return session.outbound
    }

    /// Sends `chunk`, then whatever other threads queued meanwhile, and gives up the sending turn.
    private func transmit(_ chunk: [UInt8]) throws(TCPError) {
        var chunk = chunk
        while !chunk.isEmpty {
            do {
                try tcp.sendAll(chunk)
            } catch {
                session.withLock { $0.sending = false }
                throw error
            }
            chunk = session.withLock { session -> [UInt8] in
                if session.outbound.isEmpty { session.sending = false }
                defer { session.outbound = [] }
                return session.outbound
            }
        }
    }

    func drainOutput(_ session: inout Session) {
        let bio = session.output
        while library.bioControl(bio, TLSLibrary.bioControlPending, 0, nil) > 0 {
            let read = withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { chunk -> Int in
                let count = Int(library.bioRead(bio, chunk.baseAddress, Int32(chunk.count)))
                if count > 0 { session.outbound.append(contentsOf: chunk[0..<count]) }
                return count
            }
            if read <= 0 { return }
        }
    }
}
