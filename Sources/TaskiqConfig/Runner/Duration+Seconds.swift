import Foundation

extension Duration {
    /// The duration in seconds, as a floating-point number.
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// A duration as seconds with two decimals, as logs show it (`0.52s`).
package func formatSeconds(_ duration: Duration) -> String {
    String(format: "%.2fs", duration.inSeconds)
}
