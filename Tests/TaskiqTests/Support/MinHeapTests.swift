import TaskiqTestSupport
import Testing

@testable import Taskiq

@Suite struct MinHeapTests {
    @Test func popsInAscendingOrderWhateverTheInsertionOrder() {
        var generator = SeededGenerator(seed: 7)
        for size in [0, 1, 2, 3, 10, 257] {
            let values = (0..<size).map { _ in Int.random(in: -50...50, using: &generator) }
            var heap = MinHeap<Int>()
            for value in values { heap.insert(value) }
            #expect(heap.count == size)
            #expect(heap.min == values.min())
            var popped: [Int] = []
            while let value = heap.popMin() { popped.append(value) }
            #expect(popped == values.sorted())
            #expect(heap.isEmpty)
        }
    }

    @Test func interleavedInsertsAndPopsKeepTheOrder() {
        var heap = MinHeap<Int>()
        heap.insert(5)
        heap.insert(1)
        heap.insert(3)
        #expect(heap.popMin() == 1)
        heap.insert(0)
        heap.insert(4)
        #expect(heap.popMin() == 0)
        #expect(heap.popMin() == 3)
        #expect(heap.popMin() == 4)
        #expect(heap.popMin() == 5)
        #expect(heap.popMin() == nil)
        #expect(heap.removeAll().isEmpty)
    }
}
