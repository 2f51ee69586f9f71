#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's OpenSSL 3, loaded when the first TLS connection is made: the few functions a
/// TLS 1.2/1.3 client needs, resolved with `dlopen`/`dlsym`.
///
/// Nothing is linked at build time and no C header is needed, so a binary built here runs on a
/// machine without OpenSSL as long as it uses no TLS URL; the first TLS connection on such a
/// machine fails with `libraryMissing`, naming the library. On Linux that is `libssl.so.3`
/// (Debian/Ubuntu `libssl3`, Fedora/RHEL `openssl-libs`). macOS ships no OpenSSL 3 (its
/// `/usr/lib/libssl.dylib` is LibreSSL and must not be loaded), so there the library is looked
/// for where Homebrew's `openssl@3` puts it. `TASKIQ_LIBSSL` names the file to load instead.
///
/// Immutable after loading, hence `@unchecked Sendable`: it holds only C function pointers.
package struct TLSLibrary: @unchecked Sendable {
    typealias Method = @convention(c) () -> OpaquePointer?
    typealias ContextNew = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    typealias SetVerify = @convention(c) (OpaquePointer?, Int32, OpaquePointer?) -> Void
    typealias Status = @convention(c) (OpaquePointer?) -> Int32
    typealias LoadLocations = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias UseFile = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    typealias UseTypedFile = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32
    typealias Control = @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    typealias SetOptions = @convention(c) (OpaquePointer?, UInt64) -> UInt64
    typealias SetBIO = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Void
    typealias SetName = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    typealias ReadWrite = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    typealias Write = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int32) -> Int32
    typealias GetError = @convention(c) (OpaquePointer?, Int32) -> Int32
    typealias VerifyResult = @convention(c) (OpaquePointer?) -> Int
    typealias VerifyText = @convention(c) (Int) -> UnsafePointer<CChar>?
    typealias NextError = @convention(c) () -> UInt
    typealias ErrorText = @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void
    typealias ClearErrors = @convention(c) () -> Void
    typealias PasswordCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias SetPasswordCallback = @convention(c) (OpaquePointer?, PasswordCallback?) -> Void

    let clientMethod: Method
    let contextNew: ContextNew
    let contextFree: Free
    let contextSetVerify: SetVerify
    let contextSetDefaultVerifyPaths: Status
    let contextLoadVerifyLocations: LoadLocations
    let contextUseCertificateChainFile: UseFile
    let contextUsePrivateKeyFile: UseTypedFile
    let contextCheckPrivateKey: Status
    let contextControl: Control
    let contextSetOptions: SetOptions
    let contextSetPasswordCallback: SetPasswordCallback
    let sslNew: ContextNew
    let sslFree: Free
    let sslSetBIO: SetBIO
    let sslSetConnectState: Free
    let sslSet1Host: SetName
    let sslGet0Param: ContextNew
    let verifyParamSet1IPText: SetName
    let sslControl: Control
    let sslConnect: Status
    let sslRead: ReadWrite
    let sslPeek: ReadWrite
    let sslWrite: Write
    let sslPending: Status
    let sslGetError: GetError
    let sslGetVerifyResult: VerifyResult
    let sslShutdown: Status
    let verifyErrorText: VerifyText
    let nextError: NextError
    let errorText: ErrorText
    let clearErrors: ClearErrors
    let memoryMethod: Method
    let bioNew: ContextNew
    let bioRead: ReadWrite
    let bioWrite: Write
    let bioControl: Control

    /// The library, loaded once per process; the error when it cannot be.
    private static let shared: Result<TLSLibrary, TLSError> = Result { () throws(TLSError) in
        try TLSLibrary(candidates: candidates)
    }

    /// The loaded library.
    /// - Throws: ``TLSError`` `libraryMissing`, naming the library and how to install it.
    package static func load() throws(TLSError) -> TLSLibrary { try shared.get() }

    /// The files tried in order: the one `TASKIQ_LIBSSL` names, or the platform's.
    static var candidates: [String] {
        if let override = getenv("TASKIQ_LIBSSL"), override.pointee != 0 { return [String(cString: override)] }
        #if canImport(Darwin)
        return ["libssl.3.dylib", "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib", "/usr/local/opt/openssl@3/lib/libssl.3.dylib"]
        #else
        return ["libssl.so.3"]
        #endif
    }

    /// Loads the first of `candidates` that opens (each a file name or path for `dlopen`).
    init(candidates: [String]) throws(TLSError) {
        var handle: UnsafeMutableRawPointer?
        var failures: [String] = []
        for name in candidates {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
            failures.append(dlerror().map { String(cString: $0) } ?? name)
        }
        guard let handle else {
            throw TLSError(
                .libraryMissing, peer: "",
                "TLS needs OpenSSL 3 (\(candidates.joined(separator: " or "))), which could not be loaded (\(failures.joined(separator: "; "))); install it (apt-get install libssl3, dnf install openssl-libs, brew install openssl@3) or name the file in TASKIQ_LIBSSL"
            )
        }
        // libcrypto's functions (BIO_*, ERR_*, X509_*) resolve through libssl's dependencies.
        func symbol<T>(_ name: String) throws(TLSError) -> T {
            guard let address = dlsym(handle, name) else {
                throw TLSError(.libraryMissing, peer: "", "the loaded OpenSSL has no \(name); TLS needs OpenSSL 3")
            }
            return unsafeBitCast(address, to: T.self)
        }
        clientMethod = try symbol("TLS_client_method")
        contextNew = try symbol("SSL_CTX_new")
        contextFree = try symbol("SSL_CTX_free")
        contextSetVerify = try symbol("SSL_CTX_set_verify")
        contextSetDefaultVerifyPaths = try symbol("SSL_CTX_set_default_verify_paths")
        contextLoadVerifyLocations = try symbol("SSL_CTX_load_verify_locations")
        contextUseCertificateChainFile = try symbol("SSL_CTX_use_certificate_chain_file")
        contextUsePrivateKeyFile = try symbol("SSL_CTX_use_PrivateKey_file")
        contextCheckPrivateKey = try symbol("SSL_CTX_check_private_key")
        contextControl = try symbol("SSL_CTX_ctrl")
        contextSetOptions = try symbol("SSL_CTX_set_options")
        contextSetPasswordCallback = try symbol("SSL_CTX_set_default_passwd_cb")
        sslNew = try symbol("SSL_new")
        sslFree = try symbol("SSL_free")
        sslSetBIO = try symbol("SSL_set_bio")
        sslSetConnectState = try symbol("SSL_set_connect_state")
        sslSet1Host = try symbol("SSL_set1_host")
        sslGet0Param = try symbol("SSL_get0_param")
        verifyParamSet1IPText = try symbol("X509_VERIFY_PARAM_set1_ip_asc")
        sslControl = try symbol("SSL_ctrl")
        sslConnect = try symbol("SSL_connect")
        sslRead = try symbol("SSL_read")
        sslPeek = try symbol("SSL_peek")
        sslWrite = try symbol("SSL_write")
        sslPending = try symbol("SSL_pending")
        sslGetError = try symbol("SSL_get_error")
        sslGetVerifyResult = try symbol("SSL_get_verify_result")
        sslShutdown = try symbol("SSL_shutdown")
        verifyErrorText = try symbol("X509_verify_cert_error_string")
        nextError = try symbol("ERR_get_error")
        errorText = try symbol("ERR_error_string_n")
        clearErrors = try symbol("ERR_clear_error")
        memoryMethod = try symbol("BIO_s_mem")
        bioNew = try symbol("BIO_new")
        bioRead = try symbol("BIO_read")
        bioWrite = try symbol("BIO_write")
        bioControl = try symbol("BIO_ctrl")
    }

    /// Takes the calling thread's OpenSSL error queue as text, oldest first, such as
    /// "error:0A000086:SSL routines::certificate verify failed"; `nil` when it is empty.
    func takeErrors() -> String? {
        var texts: [String] = []
        while case let code = nextError(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            errorText(code, &buffer, buffer.count)
            let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            texts.append(String(decoding: text, as: UTF8.self))
        }
        return texts.isEmpty ? nil : texts.joined(separator: "; ")
    }

    /// Answers OpenSSL's request for a key's passphrase with none, so that an encrypted
    /// `key_file` fails to load instead of prompting on the terminal.
    static let noPassphrase: PasswordCallback = { _, _, _, _ in 0 }

    // Constants of OpenSSL 3's ABI (macros in its headers).
    static let verifyNone: Int32 = 0, verifyPeer: Int32 = 1
    static let fileTypePEM: Int32 = 1
    static let controlSetMinProtocolVersion: Int32 = 123, tls12: Int = 0x0303
    static let controlSetHostName: Int32 = 55, hostNameType: Int = 0
    static let noRenegotiation: UInt64 = 1 << 30
    static let bioControlPending: Int32 = 10
    static let errorWantRead: Int32 = 2, errorWantWrite: Int32 = 3, errorSyscall: Int32 = 5, errorZeroReturn: Int32 = 6
}
