/// A glob over dotted module and task names: `*` matches within one dotted segment, `**` matches
/// across segments, `?` matches one character other than a dot.
///
/// `examples.*` matches `examples.math` but not `examples.math.fast`; `examples.**` matches both.
struct ModulePattern: Sendable, Hashable {
    let pattern: String

    init(_ pattern: String) { self.pattern = pattern }

    /// Whether a name matches the whole pattern.
    func matches(_ name: String) -> Bool {
        Self.match(Array(pattern.unicodeScalars)[...], Array(name.unicodeScalars)[...])
    }

    private static func match(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        if first == "*" {
            let crossesDots = pattern.dropFirst().first == "*"
            let rest = pattern.dropFirst(crossesDots ? 2 : 1)
            var candidate = name
            while true {
                if match(rest, candidate) { return true }
                guard let next = candidate.first, crossesDots || next != "." else { return false }
                candidate = candidate.dropFirst()
            }
        }
        guard let character = name.first else { return false }
        if first == "?" ? character != "." : first == character {
            return match(pattern.dropFirst(), name.dropFirst())
        }
        return false
    }
}
