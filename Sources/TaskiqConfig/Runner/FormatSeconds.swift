import Foundation

/// A duration as seconds with two decimals, as logs show it (`0.52s`).
package func formatSeconds(_ duration: Duration) -> String {
    String(format: "%.2fs", duration.inSeconds)
}
