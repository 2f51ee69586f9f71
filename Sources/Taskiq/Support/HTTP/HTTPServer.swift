import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server for endpoints such as `/metrics`: `GET` and `HEAD` only, no bodies,
/// bounded in every dimension so that no client can stop or crash the process it runs in.
///
/// One thread accepts; each connection is served by a thread of its own, at most
/// ``Options/maxConnections`` at once (more are answered 503 and closed). A request head must
/// arrive within ``Options/headTimeout`` of its first byte (slowloris) and within the parser's
/// size limits (431); an idle keep-alive connection is closed after ``Options/idleTimeout``.
/// Malformed requests are answered 400 and closed. ``shutdown()`` closes every connection.
package final class HTTPServer: Sendable {
    /// The server's bounds.
    package struct Options: Sendable {
        /// Connections served at once.
        package var maxConnections = 16
        /// How long a request head may take to arrive, from its first byte.
        package var headTimeout: Duration = .seconds(5)
        /// How long a kept-alive connection may wait for its next request.
        package var idleTimeout: Duration = .seconds(30)
        /// The parser's size limits.
        package var limits = HTTPRequestParser.Limits()

        /// The defaults: 16 connections, 5 s per head, 30 s idle.
        package init() {}
    }

    /// Answers one request; runs on the connection's thread.
    package typealias Handler = @Sendable (HTTPRequestHead) -> HTTPServerResponse

    private struct State {
        var open: [Int32: TCPConnection] = [:]
        var threads = 0
        var stopping = false
    }

    /// The port bound (the kernel's choice when asked for 0).
    package var port: UInt16 { listener.port }
    private let listener: TCPListener
    private let options: Options
    private let handler: Handler
    private let state = Mutex(State())
    private let logger: Logger

    /// Binds `host:port` and starts serving.
    /// - Throws: ``TCPError`` when the address does not resolve or cannot be bound, or
    ///   ``SystemError`` when the accepting thread cannot start.
    package init(
        host: String, port: UInt16, options: Options = Options(), logger: Logger = Logger(label: "taskiq.http"),
        handler: @escaping Handler
    ) throws {
        guard let address = try SocketAddress.resolve(host: host, port: port).first else {
            throw TCPError(.unresolvedHost, reason: "no address for \(host)")
        }
        listener = try TCPListener.listen(on: address)
        self.options = options
        self.handler = handler
        self.logger = logger
        state.withLock { $0.threads += 1 }
        do {
            try PlatformThread.start(name: "taskiq-http", stackSize: PlatformThread.minimumStackSize) { [self] in acceptLoop() }
        } catch {
            state.withLock { $0.threads -= 1 }
            listener.close()
            throw error
        }
    }

    /// Stops accepting, closes every connection and waits (up to two seconds) for their threads.
    package func shutdown() {
        let open = state.withLock { state -> [TCPConnection] in
            state.stopping = true
            return Array(state.open.values)
        }
        listener.shutdown()
        for connection in open { connection.shutdown() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        while state.withLock({ $0.threads }) > 0, ContinuousClock.now < deadline {
            usleep(5_000)
        }
    }

    private func acceptLoop() {
        defer {
            listener.close()
            state.withLock { $0.threads -= 1 }
        }
        while let connection = listener.accept() {
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping, state.open.count < options.maxConnections else { return false }
                state.open[connection.descriptor] = connection
                state.threads += 1
                return true
            }
            guard admitted else {
                if state.withLock({ $0.stopping }) {
                    connection.close()
                    return
                }
                connection.sendWithoutWaiting(HTTPServerResponse.text(503, "too many connections\n").serialized(keepAlive: false))
                connection.shutdown()
                connection.close()
                continue
            }
            do {
                try PlatformThread.start(name: "taskiq-http-conn", stackSize: PlatformThread.minimumStackSize) { [self] in
                    serve(connection)
                    finish(connection)
                }
            } catch {
                finish(connection)
            }
        }
    }

    private func finish(_ connection: TCPConnection) {
        state.withLock { state in
            state.open[connection.descriptor] = nil
            state.threads -= 1
        }
        connection.shutdown()
        connection.close()
    }

    private func serve(_ connection: TCPConnection) {
        var parser = HTTPRequestParser(limits: options.limits)
        var buffer = [UInt8](repeating: 0, count: 4096)
        var waitingSince = ContinuousClock.now
        var partial = false
        while true {
            switch parser.next() {
            case .head(let head):
                let response = respond(to: head)
                let keepAlive = head.keepAlive && response.status < 400
                guard (try? connection.sendAll(response.serialized(keepAlive: keepAlive, includeBody: head.method != "HEAD"))) != nil,
                    keepAlive
                else { return }
                waitingSince = .now
                partial = false
                continue
            case .failure(let error):
                logger.debug("bad HTTP request from \(connection.peerName): \(error.reason)")
                _ = try? connection.sendAll(HTTPServerResponse.text(error.status, error.reason + "\n").serialized(keepAlive: false))
                return
            case .needMoreBytes:
                break
            }
            if parser.hasPartialRequest && !partial {
                partial = true
                waitingSince = .now
            }
            let limit = partial ? options.headTimeout : options.idleTimeout
            let remaining = limit - waitingSince.duration(to: .now)
            guard remaining > .zero, connection.waitReadable(timeout: remaining) else {
                if partial {
                    _ = try? connection.sendAll(HTTPServerResponse.text(408, "request head took too long\n").serialized(keepAlive: false))
                }
                return
            }
            if state.withLock({ $0.stopping }) { return }
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { raw throws(TCPError) in try connection.receive(into: raw) }
            } catch {
                return
            }
            if count == 0 { return }
            parser.append(buffer[..<count])
        }
    }

    private func respond(to head: HTTPRequestHead) -> HTTPServerResponse {
        guard head.method == "GET" || head.method == "HEAD" else {
            var response = HTTPServerResponse.text(405, "only GET and HEAD are allowed\n")
            response.headers.append(HTTPHeader(name: "Allow", value: "GET, HEAD"))
            return response
        }
        return handler(head)
    }
}
