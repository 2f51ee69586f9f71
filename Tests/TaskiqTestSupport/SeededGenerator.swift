/// SplitMix64: a tiny deterministic generator, so a failing fuzz case reproduces from its seed.
package struct SeededGenerator: RandomNumberGenerator {
    /// The generator's whole state: a case reproduces from it.
    package var state: UInt64
    /// A generator starting from `seed`.
    package init(seed: UInt64) { state = seed }
    /// A generator resuming from `state`.
    package init(state: UInt64) { self.state = state }
    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
