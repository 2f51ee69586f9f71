import Taskiq

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A duration as seconds with two decimals, as logs show it (`0.52s`).
package func formatSeconds(_ duration: Duration) -> String {
    "\(NumberText.fixed(duration.inSeconds, decimals: 2))s"
}
