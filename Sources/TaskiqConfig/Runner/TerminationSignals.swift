#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// SIGINT and SIGTERM as an `AsyncStream`, delivered through `DispatchSource` instead of the
/// default handlers (which would kill the process without a drain).
///
/// `@unchecked Sendable`: the sources are set once in `init` and only cancelled in `deinit`;
/// Dispatch sources are thread-safe but not annotated as `Sendable`.
final class TerminationSignals: @unchecked Sendable {
    /// The signals, in arrival order.
    let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// `SIGINT` or `SIGTERM`, for logs.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
