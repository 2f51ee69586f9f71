/// A binary min-heap: O(log n) inserts and removals of the least element, O(1) peeks.
///
/// Equal elements come out in no particular order; give elements a tiebreaker (an insertion
/// sequence) when order among equals matters.
package struct MinHeap<Element: Comparable> {
    private var elements: [Element] = []

    /// An empty heap.
    package init() {}

    /// Elements held.
    package var count: Int { elements.count }
    /// Whether nothing is held.
    package var isEmpty: Bool { elements.isEmpty }
    /// The least element, if any.
    package var min: Element? { elements.first }

    /// Adds an element.
    package mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the least element; `nil` when empty.
    package mutating func popMin() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let least = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < elements.count, elements[left] < elements[smallest] { smallest = left }
            if right < elements.count, elements[right] < elements[smallest] { smallest = right }
            guard smallest != parent else { break }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
        return least
    }

    /// Removes every element, returning them in no particular order.
    package mutating func removeAll() -> [Element] {
        defer { elements = [] }
        return elements
    }
}
