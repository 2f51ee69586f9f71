/// A first-in, first-out buffer over an array: amortised O(1) appends and removals.
///
/// A removed element is released at once (a consumed message's bytes are not kept alive until the
/// buffer next runs empty), and the array drops its consumed prefix once that is at least half of
/// it, so a buffer that never quite empties under steady load stays bounded by what it holds.
package struct FIFOBuffer<Element> {
    private var slots: [Element?] = []
    private var head = 0

    /// An empty buffer.
    package init() {}

    /// Elements held.
    package var count: Int { slots.count - head }
    /// Whether nothing is held.
    package var isEmpty: Bool { head == slots.count }

    /// Adds an element at the back.
    package mutating func append(_ element: Element) { slots.append(element) }

    /// Adds elements at the back, in order.
    package mutating func append(contentsOf elements: some Sequence<Element>) {
        for element in elements { slots.append(element) }
    }

    /// Removes and returns the front element; `nil` when empty.
    package mutating func popFirst() -> Element? {
        guard head < slots.count else { return nil }
        let element = slots[head]
        slots[head] = nil
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return element
    }
}

extension FIFOBuffer: Sendable where Element: Sendable {}
