import Foundation
import Synchronization
import TaskiqTestSupport
import Testing

@testable import Taskiq

/// Groups every scheduler suite, so `swift test --filter Scheduler` runs them all.
@Suite enum SchedulerTests {}
