import Synchronization
import Taskiq
import TaskiqConfig

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Draws a progress bar on standard error (when it is a terminal and the run has lasted a second)
/// and cancels the run when nothing has finished for the stall timeout.
struct BenchProgress: Sendable {
    let counters: BenchCounters
    let total: Int
    let label: String
    let stallTimeout: Duration

    /// Watches until cancelled; calls `onStall` once if progress stops.
    func watch(onStall: @Sendable () -> Void) async {
        let clock = ContinuousClock()
        let start = clock.now
        let drawing = FileDescriptor.standardError.isTerminal
        var lastCount = -1
        var lastChange = start
        var drawn = false
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            let now = clock.now
            let count = counters.finished.load(ordering: .relaxed)
            if count != lastCount {
                lastCount = count
                lastChange = now
            } else if now - lastChange > stallTimeout {
                onStall()
                break
            }
            if drawing, now - start > .seconds(1), !Task.isCancelled {
                Self.draw(label: label, done: count, total: total, elapsed: now - start)
                drawn = true
            }
        }
        if drawn { FileDescriptor.standardError.writeAll("\r\u{1B}[K") }
    }

    static func draw(label: String, done: Int, total: Int, elapsed: Duration) {
        let width = 30
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = elapsed.inSeconds > 0 ? Double(done) / elapsed.inSeconds : 0
        let line =
            "\r\(label) [\(bar)] \(done)/\(total) \(NumberText.fixed(fraction * 100, decimals: 0, width: 3))% \(NumberText.fixed(rate, decimals: 0))/s"
        FileDescriptor.standardError.writeAll(line)
    }
}
