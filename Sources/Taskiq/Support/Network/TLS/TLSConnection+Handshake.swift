#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TLSConnection {
    /// Runs a TLS client handshake over `tcp` and returns the secured connection.
    ///
    /// The server's certificate must chain to ``TLSConfiguration/caFile`` (or the system's
    /// trust store) and carry ``TLSConfiguration/serverName`` (or `host`), unless
    /// ``TLSConfiguration/insecureSkipVerify`` is set, which is logged as a warning. TLS 1.2
    /// is the oldest version accepted; renegotiation is refused.
    /// - Parameters:
    ///   - tcp: A connected socket; this call owns it, and closes it when it throws.
    ///   - host: The host connected to: the name checked and sent (SNI) when no server name is set.
    ///   - peer: `host:port`, for messages.
    ///   - timeout: How long the handshake may take.
    ///   - isCancelled: Polled every 50 ms while waiting for the server.
    ///   - logger: Receives the warning that verification is off.
    ///   - contexts: Where the OpenSSL context for `configuration` is made once and kept.
    /// - Throws: ``TLSError``: `libraryMissing`, `invalidConfiguration`, `certificateRejected`,
    ///   `handshakeFailed`, `timeout` or `cancelled`.
    package static func connect(
        over tcp: TCPConnection, host: String, peer: String, configuration: TLSConfiguration,
        timeout: Duration, isCancelled: () -> Bool = { false },
        logger: Logger = Logger(label: "taskiq.tls"),
        contexts: TLSContextCache = .shared
    ) throws(TLSError) -> TLSConnection {
        var connection: TLSConnection?
        defer { if connection == nil { tcp.close() } }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let library = try TLSLibrary.load()
        let name = configuration.serverName ?? host
        let context = try contexts.context(for: configuration) { configuration throws(TLSError) in
            try makeContext(library, configuration: configuration, peer: peer)
        }
        let ssl = try makeSession(library, context: context, configuration: configuration, name: name, peer: peer)
        let input = library.bioNew(library.memoryMethod())
        let output = library.bioNew(library.memoryMethod())
        guard let input, let output else {
            library.sslFree(ssl)
            throw TLSError(.handshakeFailed, peer: peer, "OpenSSL could not allocate a buffer")
        }
        library.sslSetBIO(ssl, input, output)
        library.sslSetConnectState(ssl)
        let candidate = TLSConnection(
            tcp: tcp, library: library, ssl: ssl, input: input, output: output,
            presentsCertificate: configuration.certFile != nil)
        do throws(TLSError) {
            try candidate.handshake(
                name: name, peer: peer, configuration: configuration, deadline: deadline,
                timeout: timeout, isCancelled: isCancelled)
        } catch {
            library.sslFree(ssl)
            throw error
        }
        if configuration.insecureSkipVerify {
            logger.warning(
                "TLS certificate verification is OFF for \(peer) (insecure_skip_verify): anyone on the network path can read and change this traffic; use it only in development",
                metadata: ["peer": peer])
        }
        connection = candidate
        return candidate
    }

    private func handshake(
        name: String, peer: String, configuration: TLSConfiguration, deadline: ContinuousClock.Instant,
        timeout: Duration, isCancelled: () -> Bool
    ) throws(TLSError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let (status, code, outbound, errors, verify) = session.withLock { session in
                library.clearErrors()
                let status = library.sslConnect(session.ssl)
                let code = status == 1 ? 0 : library.sslGetError(session.ssl, status)
                drainOutput(&session)
                defer { session.outbound = [] }
                return (status, code, session.outbound, library.takeErrors(), library.sslGetVerifyResult(session.ssl))
            }
            if !outbound.isEmpty {
                do { try tcp.sendAll(outbound) } catch {
                    throw TLSError(.handshakeFailed, peer: peer, "sending the TLS handshake failed: \(error.reason)")
                }
            }
            if status == 1 { return }
            guard code == TLSLibrary.errorWantRead else {
                if verify != 0, !configuration.insecureSkipVerify {
                    let reason = library.verifyErrorText(verify).map { String(cString: $0) } ?? "verification error \(verify)"
                    let trust = configuration.caFile.map { "the CAs in '\($0)'" } ?? "the system's trust store"
                    throw TLSError(
                        .certificateRejected, peer: peer,
                        "the server's certificate was rejected: \(reason) (expected name '\(name)', trusting \(trust))")
                }
                throw TLSError(
                    .handshakeFailed, peer: peer,
                    "the TLS handshake failed: \(errors ?? "SSL_connect error \(code)")\(Self.hint(errors))")
            }
            while true {
                if isCancelled() { throw TLSError(.cancelled, peer: peer, "the TLS handshake was cancelled") }
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw TLSError(
                        .timeout, peer: peer,
                        "the TLS handshake did not finish within \(timeout) (is the server speaking TLS on this port?)")
                }
                if tcp.waitReadable(timeout: min(remaining, .milliseconds(50))) { break }
            }
            let count: Int
            do {
                count = try tcp.receive(into: buffer)
            } catch {
                throw TLSError(.handshakeFailed, peer: peer, "reading the TLS handshake failed: \(error.reason)")
            }
            guard count > 0 else {
                throw TLSError(
                    .handshakeFailed, peer: peer,
                    "the server closed the connection during the TLS handshake (is it speaking TLS on this port, and does it require a client certificate?)"
                )
            }
            feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// A new OpenSSL context for `configuration`: trust, client certificate and verification,
    /// which every session made from it shares.
    private static func makeContext(
        _ library: TLSLibrary, configuration: TLSConfiguration,
        peer: String
    ) throws(TLSError) -> OpaquePointer {
        library.clearErrors()
        guard let context = library.contextNew(library.clientMethod()) else {
            throw TLSError(.handshakeFailed, peer: peer, "OpenSSL could not create a context: \(library.takeErrors() ?? "unknown error")")
        }
        var made = false
        defer { if !made { library.contextFree(context) } }
        func invalid(_ what: String) -> TLSError {
            TLSError(.invalidConfiguration, peer: peer, "\(what): \(library.takeErrors() ?? "OpenSSL gave no reason")")
        }
        _ = library.contextControl(context, TLSLibrary.controlSetMinProtocolVersion, TLSLibrary.tls12, nil)
        _ = library.contextSetOptions(context, TLSLibrary.noRenegotiation)
        library.contextSetVerify(context, configuration.insecureSkipVerify ? TLSLibrary.verifyNone : TLSLibrary.verifyPeer, nil)
        if let caFile = configuration.caFile {
            guard library.contextLoadVerifyLocations(context, caFile, nil) == 1 else { throw invalid("cannot use ca_file '\(caFile)'") }
        } else if library.contextSetDefaultVerifyPaths(context) != 1 {
            throw invalid("cannot load the system's trust store")
        }
        switch (configuration.certFile, configuration.keyFile) {
        case (nil, nil):
            break
        case (let certFile?, let keyFile?):
            guard library.contextUseCertificateChainFile(context, certFile) == 1 else {
                throw invalid("cannot use cert_file '\(certFile)'")
            }
            library.contextSetPasswordCallback(context, TLSLibrary.noPassphrase)
            guard library.contextUsePrivateKeyFile(context, keyFile, TLSLibrary.fileTypePEM) == 1 else {
                let errors = library.takeErrors() ?? "OpenSSL gave no reason"
                let encrypted =
                    ["bad decrypt", "password", "passphrase"].contains(where: errors.contains)
                    ? "; the key is encrypted, and only unencrypted keys are read: decrypt it (openssl pkey -in \(keyFile) -out plain.key) and protect the file with its permissions"
                    : ""
                throw TLSError(
                    .invalidConfiguration, peer: peer,
                    "cannot use key_file '\(keyFile)' with cert_file '\(certFile)': \(errors)\(encrypted)")
            }
            guard library.contextCheckPrivateKey(context) == 1 else {
                throw invalid("key_file '\(keyFile)' is not the key of cert_file '\(certFile)'")
            }
        default:
            throw TLSError(.invalidConfiguration, peer: peer, "cert_file and key_file go together; only one is set")
        }
        made = true
        return context
    }

    /// A new OpenSSL session from `context` that checks and sends `name`.
    private static func makeSession(
        _ library: TLSLibrary, context: OpaquePointer, configuration: TLSConfiguration,
        name: String, peer: String
    ) throws(TLSError) -> OpaquePointer {
        library.clearErrors()
        func invalid(_ what: String) -> TLSError {
            TLSError(.invalidConfiguration, peer: peer, "\(what): \(library.takeErrors() ?? "OpenSSL gave no reason")")
        }
        guard let ssl = library.sslNew(context) else {
            throw TLSError(.handshakeFailed, peer: peer, "OpenSSL could not create a session: \(library.takeErrors() ?? "unknown error")")
        }
        let isAddress = SocketAddress.isIPLiteral(name)
        var named = true
        if !configuration.insecureSkipVerify {
            named =
                isAddress
                ? library.verifyParamSet1IPText(library.sslGet0Param(ssl), name) == 1
                : library.sslSet1Host(ssl, name) == 1
        }
        if named, !isAddress {  // SNI carries host names only (RFC 6066)
            named =
                name.withCString {
                    library.sslControl(
                        ssl, TLSLibrary.controlSetHostName, TLSLibrary.hostNameType,
                        UnsafeMutableRawPointer(mutating: $0))
                } == 1
        }
        guard named else {
            library.sslFree(ssl)
            throw invalid("cannot use '\(name)' as the server name")
        }
        return ssl
    }

    /// A hint for the OpenSSL errors a server that speaks no TLS causes.
    private static func hint(_ errors: String?) -> String {
        guard let errors else { return "" }
        let plainText = ["wrong version number", "packet length too long", "record layer failure", "unexpected eof"]
        return plainText.contains(where: errors.contains) ? " (is the server speaking TLS on this port?)" : ""
    }
}
