/// An error from ``SyncTaskPool``.
package struct SyncTaskPoolError: Error, CustomStringConvertible {
    /// What went wrong.
    package typealias Code = ErrorCode<SyncTaskPoolError>

    /// What went wrong.
    package var code: Code
    /// A sentence saying what was found and what was expected.
    package var message: String

    package var description: String { "SyncTaskPoolError(\(code)): \(message)" }

    static func shutDown(threads: Int) -> SyncTaskPoolError {
        SyncTaskPoolError(
            code: .shutDown,
            message: "a synchronous job was submitted to the \(threads)-thread sync pool after shutdown began;"
                + " submit jobs only while the worker is running")
    }
}

extension ErrorCode where Domain == SyncTaskPoolError {
    /// The pool was shut down before the job was submitted.
    package static var shutDown: Self { "shutDown" }
}
