import Testing

@testable import TaskiqRabbitMQ

/// The self-healing link's bookkeeping without sockets: generations, waiters, blocking.
struct RabbitMQLinkMachineTests {
    typealias Machine = RabbitMQLinkMachine<String, Int>

    @Test func waitersAreWokenInOrderByTheFirstConnection() {
        var machine = Machine()
        guard case .wait = machine.acquire(1, 10), case .wait = machine.acquire(2, 20) else {
            Issue.record("waiters should wait before a connection")
            return
        }
        let opened = machine.connected("c1")
        #expect(opened?.generation == 1)
        #expect(opened?.isReconnect == false)
        #expect(opened?.ready == [10, 20])
        #expect(machine.waiting == 0)
        guard case .ready(let link, let generation) = machine.acquire(3, 30) else {
            Issue.record("an open link is ready")
            return
        }
        #expect(link == "c1" && generation == 1)
    }

    @Test func aStaleLossNeverTouchesTheReplacement() {
        var machine = Machine()
        _ = machine.connected("c1")
        let r1 = machine.lost(generation: 1)
        #expect(r1)
        let r2 = machine.lost(generation: 1)
        #expect(!r2, "a second report of the same loss is ignored")
        #expect(machine.phase == .connecting)
        let r3 = machine.attemptFailed()
        #expect(r3 == 1)
        let r4 = machine.attemptFailed()
        #expect(r4 == 2)
        let opened = machine.connected("c2")
        #expect(opened?.generation == 2)
        #expect(opened?.isReconnect == true)
        #expect(opened?.failedAttempts == 2)
        #expect(machine.failedAttempts == 0)
        let r5 = machine.lost(generation: 1)
        #expect(!r5, "the old connection's late loss")
        let r6 = machine.blocked(generation: 1, reason: "old")
        #expect(!r6)
        #expect(machine.current?.link == "c2")
        #expect(machine.losses == 1)
    }

    @Test func blockedConnectionHoldsCallersUntilUnblocked() {
        var machine = Machine()
        _ = machine.connected("c1")
        let r7 = machine.blocked(generation: 1, reason: "low on memory")
        #expect(r7)
        #expect(machine.blockedReason == "low on memory")
        #expect(machine.current == nil)
        guard case .wait = machine.acquire(1, 10) else {
            Issue.record("a blocked link makes callers wait")
            return
        }
        let r8 = machine.unblocked(generation: 2)
        #expect(r8.isEmpty, "another generation's unblock")
        let r9 = machine.unblocked(generation: 1)
        #expect(r9 == [10])
        #expect(machine.current?.link == "c1")
    }

    @Test func lossWhileBlockedKeepsWaitersForTheReplacement() {
        var machine = Machine()
        _ = machine.connected("c1")
        _ = machine.blocked(generation: 1, reason: "disk")
        _ = machine.acquire(1, 10)
        let r10 = machine.lost(generation: 1)
        #expect(r10)
        #expect(machine.blockedReason == nil)
        let r11 = machine.connected("c2")
        #expect(r11?.ready == [10])
    }

    @Test func abandonedWaiterIsNotWoken() {
        var machine = Machine()
        _ = machine.acquire(1, 10)
        _ = machine.acquire(2, 20)
        let r12 = machine.abandon(1)
        #expect(r12 == 10)
        let r13 = machine.abandon(1)
        #expect(r13 == nil)
        let r14 = machine.connected("c1")
        #expect(r14?.ready == [20])
    }

    @Test func shutDownFailsWaitersAndRefusesLaterConnections() {
        var machine = Machine()
        _ = machine.connected("c1")
        _ = machine.lost(generation: 1)
        _ = machine.acquire(1, 10)
        let (link, waiters) = machine.shutDown()
        #expect(link == nil)
        #expect(waiters == [10])
        let r15 = machine.connected("late")
        #expect(r15 == nil, "a connection made while closing is refused")
        guard case .shutDown = machine.acquire(2, 20) else {
            Issue.record("a closed link refuses callers")
            return
        }
        let r16 = machine.lost(generation: 1)
        #expect(!r16)
    }
}
