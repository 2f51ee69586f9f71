// The smallest program that shows the Swift 6.3 pack-loop fault (docs/toolchain/pack-loop.md).
// Run: scripts/check-toolchain.sh, or: swiftc -O docs/toolchain/pack-loop.swift -o /tmp/p && /tmp/p
// A correct toolchain prints "3 3 3 3" on both lines.
struct Pack<each Element> {
    var unusedElement: Int {
        var n = 0
        for _ in repeat (each Element).self { n += 1 }
        return n
    }
    var namedUnused: Int {
        var n = 0
        for type in repeat (each Element).self {
            _ = type
            n += 1
        }
        return n
    }
    var usedElement: Int {
        var n = 0
        for type in repeat (each Element).self { if type != Never.self { n += 1 } }
        return n
    }
    var expansion: Int {
        var n = 0
        repeat Self.tally(&n, (each Element).self)
        return n
    }
    static func tally<T>(_ n: inout Int, _: T.Type) { n += 1 }
}

// Reached through a protocol witness, the properties run as unspecialised generic code.
extension Pack: CustomStringConvertible {
    var description: String { "\(unusedElement) \(namedUnused) \(usedElement) \(expansion)" }
}

let pack = Pack<Int, String, Double>()
print("specialised:  ", pack.unusedElement, pack.namedUnused, pack.usedElement, pack.expansion)
print("through witness:", pack)
