/// A gate tasks wait at until the test opens it.
package actor AsyncGate {
    /// A closed gate.
    package init() {}
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Returns once the gate is open.
    package func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    /// Opens the gate and releases every waiter.
    package func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}
