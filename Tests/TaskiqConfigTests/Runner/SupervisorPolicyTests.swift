import Testing

@testable import TaskiqConfig

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SupervisorPolicyTests {
    static let backoff = SupervisorBackoff(
        initial: .seconds(1), maximum: .seconds(8), multiplier: 2, jitter: 0.1, resetAfter: .seconds(60))
    let start = ContinuousClock.now

    func policy(workers: Int = 2, recycle: Int32? = nil) -> SupervisorPolicy {
        var policy = SupervisorPolicy(
            options: SupervisorOptions(
                workers: workers, backoff: Self.backoff, recycleExitStatus: recycle,
                shutdownTimeout: .seconds(5)))
        for index in 0..<workers { policy.childStarted(index, at: start) }
        return policy
    }

    @Test(arguments: [
        (1, 0.5, 1.0), (2, 0.5, 2.0), (3, 0.5, 4.0), (4, 0.5, 8.0),
        (5, 0.5, 8.0),  // capped
        (100, 0.5, 8.0),  // no overflow however many failures
        (1, 0.0, 0.9), (1, 1.0, 1.1),  // ±10 % jitter
        (3, 0.0, 3.6), (4, 1.0, 8.0),  // jitter never exceeds the cap
    ])
    func backoffGrowsExponentiallyWithJitterUpToTheCap(failures: Int, unit: Double, seconds: Double) {
        let delay = Self.backoff.delay(afterFailures: failures, jitterUnit: unit)
        #expect(abs(delay.inSeconds - seconds) < 1e-9)
    }

    @Test func crashesRestartWithGrowingBackoffPerWorker() {
        var policy = policy()
        var decisions: [SupervisorPolicy.ExitDecision] = []
        for second in 1...5 {
            let now = start + .seconds(second)
            decisions.append(policy.childExited(0, status: .signaled(SIGKILL), at: now, jitterUnit: 0.5))
            #expect(policy.shouldStart(0))
            policy.childStarted(0, at: now)
        }
        #expect(decisions == [1, 2, 4, 8, 8].map { .restart(after: .seconds($0)) })
        // The other worker's count is its own.
        let decision1 = policy.childExited(1, status: .exited(1), at: start + .seconds(6), jitterUnit: 0.5)
        #expect(decision1 == .restart(after: .seconds(1)))
    }

    @Test func aWorkerThatStayedUpStartsItsBackoffAgain() {
        var policy = policy()
        _ = policy.childExited(0, status: .exited(1), at: start + .seconds(1), jitterUnit: 0.5)
        policy.childStarted(0, at: start + .seconds(2))
        let decision2 = policy.childExited(0, status: .exited(1), at: start + .seconds(3), jitterUnit: 0.5)
        #expect(decision2 == .restart(after: .seconds(2)))
        policy.childStarted(0, at: start + .seconds(5))
        // Up for 60 s: healthy again.
        let decision3 = policy.childExited(0, status: .signaled(SIGSEGV), at: start + .seconds(65), jitterUnit: 0.5)
        #expect(decision3 == .restart(after: .seconds(1)))
    }

    @Test(arguments: [
        (Int32?.some(0), ChildExitStatus.exited(0), Duration.zero),
        (Int32?.some(75), .exited(75), .zero),
        (Int32?.some(0), .exited(3), .seconds(4)),  // another status is a failure
        (Int32?.none, .exited(0), .seconds(4)),  // without recycling, even 0 is a failure
        (Int32?.some(0), .signaled(SIGTERM), .seconds(4)),
    ])
    func recycledWorkersRestartAtOnce(recycle: Int32?, status: ChildExitStatus, delay: Duration) {
        var policy = policy(recycle: recycle)
        for second in 1...2 {
            _ = policy.childExited(0, status: .exited(1), at: start + .seconds(second), jitterUnit: 0.5)
            policy.childStarted(0, at: start + .seconds(second))
        }
        let decision4 = policy.childExited(0, status: status, at: start + .seconds(3), jitterUnit: 0.5)
        #expect(decision4 == .restart(after: delay))
        if delay == .zero { #expect(policy.failures[0] == 0) }
    }

    @Test func spawnFailuresBackOffLikeCrashes() {
        var policy = policy()
        _ = policy.childExited(0, status: .exited(1), at: start + .seconds(1), jitterUnit: 0.5)
        let decision5 = policy.spawnFailed(0, jitterUnit: 0.5)
        #expect(decision5 == .restart(after: .seconds(2)))
        let decision6 = policy.spawnFailed(0, jitterUnit: 0.5)
        #expect(decision6 == .restart(after: .seconds(4)))
    }

    @Test func shutdownForwardsTheSignalAndFinishesWhenTheLastWorkerExits() {
        var policy = policy(workers: 3, recycle: 0)
        // Worker 2 is waiting for its restart when the shutdown begins.
        _ = policy.childExited(2, status: .exited(1), at: start + .seconds(1), jitterUnit: 0.5)
        let decision7 = policy.shutdownRequested(signal: SIGTERM)
        #expect(decision7 == .forward(SIGTERM, deadline: .seconds(5)))
        #expect(policy.phase == .draining)
        #expect(!policy.shouldStart(2))
        let decision8 = policy.childExited(0, status: .exited(0), at: start + .seconds(2), jitterUnit: 0.5)
        #expect(decision8 == .stayDown)
        let decision9 = policy.childExited(1, status: .signaled(SIGTERM), at: start + .seconds(2), jitterUnit: 0.5)
        #expect(decision9 == .finish(0))
        #expect(policy.phase == .stopped)
    }

    @Test func workersStillRunningAtTheDeadlineAreKilledAndTheStatusIsOne() {
        var policy = policy()
        _ = policy.shutdownRequested(signal: SIGINT)
        _ = policy.childExited(0, status: .exited(0), at: start + .seconds(1), jitterUnit: 0.5)
        let decision10 = policy.deadlinePassed()
        #expect(decision10)
        let decision11 = policy.deadlinePassed()
        #expect(!decision11)
        let decision12 = policy.childExited(1, status: .signaled(SIGKILL), at: start + .seconds(6), jitterUnit: 0.5)
        #expect(decision12 == .finish(1))
    }

    @Test func aDeadlineAfterEveryWorkerExitedDoesNothing() {
        var policy = policy(workers: 1)
        _ = policy.shutdownRequested(signal: SIGTERM)
        let decision13 = policy.childExited(0, status: .exited(0), at: start, jitterUnit: 0.5)
        #expect(decision13 == .finish(0))
        let decision14 = policy.deadlinePassed()
        #expect(!decision14)
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSecondSignalKillsEverythingAtOnce(signal: Int32) {
        var policy = policy()
        _ = policy.shutdownRequested(signal: SIGTERM)
        let decision15 = policy.shutdownRequested(signal: signal)
        #expect(decision15 == .killAll(exitStatus: 128 + signal))
    }

    @Test func aShutdownWithNoWorkerRunningFinishesAtOnce() {
        var policy = policy(workers: 1)
        _ = policy.childExited(0, status: .signaled(SIGABRT), at: start + .seconds(1), jitterUnit: 0.5)
        let decision16 = policy.shutdownRequested(signal: SIGTERM)
        #expect(decision16 == .finish(0))
        #expect(!policy.shouldStart(0))
    }

    @Test(arguments: [
        (Int32(0), ChildExitStatus.exited(0)), (256, .exited(1)), (0x4a00, .exited(74)),
        (9, .signaled(SIGKILL)), (15, .signaled(SIGTERM)), (0x86, .signaled(SIGABRT)),  // core dumped
    ])
    func waitStatusesDecode(raw: Int32, status: ChildExitStatus) {
        #expect(ChildExitStatus(waitStatus: raw) == status)
    }

    @Test func exitDescriptionsNameTheSignal() {
        #expect(ChildExitStatus.signaled(SIGKILL).description == "was killed by SIGKILL")
        #expect(ChildExitStatus.exited(3).description == "exited with status 3")
        #expect(signalName(77) == "signal 77")
    }
}
