import Testing

@testable import Taskiq

@Suite struct FIFOBufferTests {
    final class Payload {}

    @Test func keepsOrderAcrossCompactions() {
        var buffer = FIFOBuffer<Int>()
        var expected = 0
        // Stay non-empty the whole time, so the consumed prefix is dropped by compaction alone.
        for value in 0..<10_000 {
            buffer.append(value)
            if value % 3 != 0 {
                #expect(buffer.popFirst() == expected)
                expected += 1
            }
        }
        #expect(buffer.count == 10_000 - expected)
        while let value = buffer.popFirst() {
            #expect(value == expected)
            expected += 1
        }
        #expect(expected == 10_000 && buffer.isEmpty && buffer.popFirst() == nil)
    }

    @Test func aRemovedElementIsReleasedWhileTheBufferStillHoldsOthers() {
        var buffer = FIFOBuffer<Payload>()
        weak var first: Payload?
        do {
            let payload = Payload()
            first = payload
            buffer.append(payload)
        }
        buffer.append(contentsOf: [Payload(), Payload()])
        _ = buffer.popFirst()
        #expect(first == nil, "a consumed message must not live until the buffer next runs empty")
        #expect(buffer.count == 2)
    }
}
