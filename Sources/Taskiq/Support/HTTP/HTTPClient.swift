import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, blocking HTTP/1.1 client for exporters and reporters that post to one server from a
/// background thread (the dashboard middleware, the OTLP exporter).
///
/// It keeps one keep-alive connection and sends one request at a time over it (concurrent
/// callers wait their turn). When a kept connection turns out to be closed by the server — the
/// request cannot be sent, or the connection ends before any byte of the response — it
/// reconnects once and sends the request again. Every call is bounded by `timeout`, from
/// connecting to the last byte of the response; responses are bounded by
/// `HTTPResponseParser.Limits`.
///
/// ```swift
/// let client = HTTPClient(endpoint: try HTTPEndpoint(url: "http://127.0.0.1:8000/api"), timeout: .seconds(5))
/// let response = try client.send(method: "POST", path: "/tasks/1/queued",
///                                headers: [("Content-Type", "application/json")], body: Array(json.utf8))
/// client.close()
/// ```
public final class HTTPClient: Sendable {
    /// Where requests go.
    public let endpoint: HTTPEndpoint
    /// How long one ``send(method:path:headers:body:)`` may take in all.
    public let timeout: Duration
    let limits: HTTPResponseParser.Limits
    let tlsConfiguration: TLSConfiguration

    private struct State: Sendable {
        var stream: (any ByteStream)?
        var busy = false
        var closed = false
    }

    private let state = Mutex(State())
    private let turn = Mutex(())

    /// Creates a client; it connects at the first request.
    /// - Parameters:
    ///   - endpoint: The server and base path.
    ///   - timeout: The most one request may take, connecting included.
    public convenience init(endpoint: HTTPEndpoint, timeout: Duration) {
        self.init(endpoint: endpoint, timeout: timeout, limits: HTTPResponseParser.Limits())
    }

    /// Creates a client with response limits and a TLS configuration of its own (tests, CAs).
    package init(
        endpoint: HTTPEndpoint, timeout: Duration, limits: HTTPResponseParser.Limits,
        tls: TLSConfiguration = TLSConfiguration()
    ) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.limits = limits
        self.tlsConfiguration = tls
    }

    deinit {
        state.withLock { $0.stream?.close() }
    }

    /// Sends a request and waits for the whole response. Blocks the calling thread: call it
    /// from a background sender thread, never from a task's hot path.
    ///
    /// `Host`, `Content-Length` and `User-Agent` (unless given) are added; a `Content-Length`,
    /// `Host`, `Transfer-Encoding` or `Connection` among `headers` is ignored.
    /// - Parameters:
    ///   - method: `GET`, `POST`, ...
    ///   - path: Appended to the endpoint's base path (`/api/tasks`); may carry a query.
    ///   - headers: Extra headers, sent in order.
    ///   - body: The request body; empty for none.
    /// - Returns: The response, whatever its status.
    /// - Throws: ``HTTPClientError`` naming the server and why: `invalidRequest`, `unresolvedHost`,
    ///   `refused`, `connectFailed`, `tls`, `timeout`, `connectionLost`, `badResponse`, `tooLarge`, `closed`.
    public func send(
        method: String, path: String, headers: [(String, String)],
        body: [UInt8]
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let request = try encodeRequest(method: method, path: path, headers: headers, body: body)
        return try turn.withLock { _ throws(HTTPClientError) -> HTTPClientResponse in
            try exchange(request, method: method)
        }
    }

    /// Closes the connection and refuses further requests; a request in progress fails with
    /// `closed`. Safe to repeat.
    public func close() {
        state.withLock { state in
            state.closed = true
            guard let stream = state.stream else { return }
            if state.busy {
                stream.shutdown()  // the sending thread closes it once it returns
            } else {
                stream.close()
                state.stream = nil
            }
        }
    }

    // MARK: - Exchange

    private struct Outcome {
        var response: HTTPClientResponse
        var keepAlive: Bool
    }

    private func exchange(_ request: [UInt8], method: String) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var stream = try state.withLock { state throws(HTTPClientError) -> (any ByteStream)? in
            guard !state.closed else { throw HTTPClientError(.closed, peer: endpoint.peer, "the client is closed") }
            state.busy = true
            return state.stream
        }
        var reused = stream != nil
        var keep = false
        defer { release(keep: keep) }
        while true {
            let current: any ByteStream
            if let stream {
                current = stream
            } else {
                current = try connect(deadline: deadline)
            }
            stream = current
            let result = attempt(request, method: method, on: current, deadline: deadline)
            switch result {
            case .success(let outcome):
                keep = outcome.keepAlive
                return outcome.response
            case .failure(let failure):
                if failure.retryable && reused && ContinuousClock.now < deadline && !isClosed {
                    drop(current)
                    stream = nil
                    reused = false
                    continue
                }
                throw isClosed
                    ? HTTPClientError(.closed, peer: endpoint.peer, "the client was closed during the request")
                    : failure.error
            }
        }
    }

    private struct AttemptFailure: Error {
        var error: HTTPClientError
        /// The server closed a kept connection before answering: worth one retry on a new one.
        var retryable: Bool
    }

    private func attempt(
        _ request: [UInt8], method: String, on stream: any ByteStream,
        deadline: ContinuousClock.Instant
    ) -> Result<Outcome, AttemptFailure> {
        let peer = endpoint.peer
        do throws(TCPError) {
            try stream.sendAll(request)
        } catch {
            let timedOut = error.number == EAGAIN || error.number == EWOULDBLOCK
            return .failure(
                AttemptFailure(
                    error: HTTPClientError(
                        timedOut ? .timeout : .connectionLost, peer: peer,
                        timedOut
                            ? "sending the request took longer than \(timeout)"
                            : "sending the request failed: \(error.reason)"),
                    retryable: !timedOut))
        }
        var parser = HTTPResponseParser(requestMethod: method, limits: limits)
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            do throws(HTTPResponseParser.Failure) {
                if let response = try parser.next() {
                    return .success(Outcome(response: response, keepAlive: parser.keepAlive))
                }
            } catch {
                return .failure(AttemptFailure(error: HTTPClientError(error.code, peer: peer, error.message), retryable: false))
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                return .failure(
                    AttemptFailure(
                        error: HTTPClientError(.timeout, peer: peer, "no complete response within \(timeout)"), retryable: false))
            }
            guard stream.waitReadable(timeout: remaining) else { continue }
            let received = chunk.withUnsafeMutableBytes { buffer in
                Result<Int, TCPError> { () throws(TCPError) -> Int in try stream.receive(into: buffer) }
            }
            let count: Int
            switch received {
            case .success(let value):
                count = value
            case .failure(let error):
                return .failure(
                    AttemptFailure(
                        error: HTTPClientError(.connectionLost, peer: peer, "reading the response failed: \(error.reason)"),
                        retryable: !parser.receivedAny))
            }
            if count == 0 {
                do throws(HTTPResponseParser.Failure) {
                    if let response = try parser.finish() {
                        return .success(Outcome(response: response, keepAlive: false))
                    }
                    return .failure(
                        AttemptFailure(
                            error: HTTPClientError(.connectionLost, peer: peer, "the server closed the connection without answering"),
                            retryable: true))
                } catch {
                    return .failure(AttemptFailure(error: HTTPClientError(error.code, peer: peer, error.message), retryable: false))
                }
            }
            parser.feed(chunk[0..<count])
        }
    }

    // MARK: - Connection

    private var isClosed: Bool { state.withLock { $0.closed } }

    private func connect(deadline: ContinuousClock.Instant) throws(HTTPClientError) -> any ByteStream {
        let peer = endpoint.peer
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw HTTPClientError(.timeout, peer: peer, "no time left to connect within \(timeout)") }
        guard let port = UInt16(exactly: endpoint.port), port > 0 else {
            throw HTTPClientError(.invalidURL, peer: peer, "port \(endpoint.port) is not a number from 1 to 65535")
        }
        let tcp: TCPConnection
        do throws(TCPError) {
            tcp = try TCPConnection.connect(
                host: endpoint.host, port: port, timeout: remaining,
                keepAlive: true, isCancelled: { self.isClosed })
        } catch {
            throw Self.connectError(error, peer: peer, host: endpoint.host, timeout: timeout)
        }
        Self.setSendTimeout(tcp, timeout)
        let stream: any ByteStream
        if endpoint.usesTLS {
            do throws(TLSError) {
                stream = try TLSConnection.connect(
                    over: tcp, host: endpoint.host, peer: peer, configuration: tlsConfiguration,
                    timeout: ContinuousClock.now.duration(to: deadline),
                    isCancelled: { self.isClosed })
            } catch {
                throw HTTPClientError(error.code == .timeout ? .timeout : .tls, peer: peer, error.message)
            }
        } else {
            stream = tcp
        }
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.stream = stream
            return true
        }
        guard accepted else {
            stream.close()
            throw HTTPClientError(.closed, peer: peer, "the client was closed while connecting")
        }
        return stream
    }

    /// Forgets a connection that failed.
    private func drop(_ stream: any ByteStream) {
        state.withLock { state in
            stream.close()
            state.stream = nil
        }
    }

    /// Ends a request: keeps the connection for the next one, or closes it.
    private func release(keep: Bool) {
        state.withLock { state in
            state.busy = false
            if !keep || state.closed {
                state.stream?.close()
                state.stream = nil
            }
        }
    }

    private static func connectError(_ error: TCPError, peer: String, host: String, timeout: Duration) -> HTTPClientError {
        switch error.kind {
        case .unresolvedHost:
            return HTTPClientError(.unresolvedHost, peer: peer, "could not resolve '\(host)': \(error.reason)")
        case .refused:
            return HTTPClientError(.refused, peer: peer, "the connection was refused (is the server running?)")
        case .deadlineExceeded, .connectTimedOut:
            return HTTPClientError(.timeout, peer: peer, "connecting took longer than \(timeout)")
        case .cancelled:
            return HTTPClientError(.closed, peer: peer, "the client was closed while connecting")
        default:
            return HTTPClientError(.connectFailed, peer: peer, "connecting failed: \(error.reason)")
        }
    }

    /// Bounds each blocking `send` (`SO_SNDTIMEO`), so a server that stops reading cannot hold
    /// the sending thread past the timeout.
    private static func setSendTimeout(_ tcp: TCPConnection, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval()
        value.tv_sec = .init(max(0, min(seconds, 86_400)))
        value.tv_usec = .init(max(0, attoseconds / 1_000_000_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1000 }
        setsockopt(tcp.descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}
