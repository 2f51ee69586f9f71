import Synchronization

/// OpenSSL client contexts (`SSL_CTX`), one per TLS configuration, made on first use and kept for
/// the life of the process.
///
/// A context holds what is slow to set up: the trust store (the CA file or the system's bundle,
/// parsed), the client certificate and its key. OpenSSL contexts are reference counted and safe
/// to share between threads once set up, so every connection with the same configuration makes
/// its session from the same one. Files are read once per process: a CA file or certificate
/// replaced on disk takes effect at the next start. A context that cannot be made is not kept,
/// so the next connection reads the files again.
package final class TLSContextCache: Sendable {
    /// The cache every connection uses unless told otherwise.
    package static let shared = TLSContextCache()

    /// A context that is set up and never changed again, hence `@unchecked Sendable`.
    private struct Context: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let contexts = Mutex<[TLSConfiguration: Context]>([:])

    /// An empty cache.
    package init() {}

    deinit {
        guard let library = try? TLSLibrary.load() else { return }
        contexts.withLock { contexts in
            for context in contexts.values { library.contextFree(context.pointer) }
        }
    }

    /// How many contexts are kept.
    package var count: Int { contexts.withLock { $0.count } }

    /// The context for `configuration`, made with `make` the first time. Its server name plays no
    /// part: the name is set per session. Made under the lock, so concurrent first connections
    /// read the files once.
    func context(
        for configuration: TLSConfiguration,
        make: (TLSConfiguration) throws(TLSError) -> OpaquePointer
    ) throws(TLSError) -> OpaquePointer {
        var key = configuration
        key.serverName = nil
        return try contexts.withLock { contexts throws(TLSError) in
            if let context = contexts[key] { return context.pointer }
            let made = try make(key)
            contexts[key] = Context(pointer: made)
            return made
        }
    }
}
