/// The number of single-character edits that turn one string into another.
///
/// Counts insertions, deletions, substitutions and swaps of two adjacent characters
/// (the optimal-string-alignment variant of Levenshtein distance), so the common typo
/// `wrokers` is one edit from `workers` rather than two. Compares `Character`s, so an
/// accented letter counts as one.
package func editDistance(_ source: String, _ target: String) -> Int {
    let a = Array(source)
    let b = Array(target)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rolling rows: the swap rule looks two rows back.
    var previousPrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                best = min(best, previousPrevious[j - 2] + 1)
            }
            current[j] = best
        }
        (previousPrevious, previous, current) = (previous, current, previousPrevious)
    }
    return previous[b.count]
}

/// The candidate a mistyped name most likely meant, or `nil` when none is close.
///
/// A candidate is close when it is at most a third of its length away (and at least one edit is
/// always allowed), ignoring case. Ties go to the earlier candidate, so suggestions are deterministic.
/// - Parameters:
///   - name: What the user typed, e.g. `wrokers`.
///   - candidates: The names that exist, e.g. `["workers", "config"]`.
package func closestMatch(to name: String, in candidates: [String]) -> String? {
    let typed = name.lowercased()
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(typed, candidate.lowercased())
        guard distance <= max(1, candidate.count / 3) else { continue }
        if distance < best?.distance ?? .max { best = (candidate, distance) }
    }
    return best?.candidate
}
