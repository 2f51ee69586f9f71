import Testing

@testable import Taskiq

/// Loading OpenSSL at run time: a missing library is an error naming it, never a crash.
@Suite struct TLSLibraryTests {
    @Test func aMissingLibraryIsAnErrorNamingIt() {
        let error = #expect(throws: TLSError.self) { try TLSLibrary(candidates: ["libssl-taskiq-missing.so.3"]) }
        #expect(error?.code == .libraryMissing)
        #expect(error?.description.contains("TLS needs OpenSSL 3 (libssl-taskiq-missing.so.3)") == true, "\(String(describing: error))")
        #expect(error?.description.contains("TASKIQ_LIBSSL") == true)
    }

    @Test func aLibraryWithoutTheTLSFunctionsIsAnErrorNamingTheFirstMissing() {
        // libc loads, but it is not OpenSSL.
        let error = #expect(throws: TLSError.self) { try TLSLibrary(candidates: ["libc.so.6"]) }
        #expect(error?.code == .libraryMissing)
        #expect(error?.description.contains("has no TLS_client_method") == true, "\(String(describing: error))")
    }
}
