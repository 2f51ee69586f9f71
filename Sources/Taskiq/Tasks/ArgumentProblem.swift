/// Why a task's arguments do not fit its parameters, and which argument: what `check` and `kick`
/// report before sending, so a wrong type fails in the shell instead of in the worker.
package struct ArgumentProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The argument a problem is about.
    package enum Location: Sendable, Hashable {
        /// A positional argument, 0-based (`args[0]`).
        case positional(Int)
        /// A keyword argument (`kwargs.b`).
        case keyword(String)
        /// A parameter that no argument supplied, 0-based.
        case missing(Int)
    }

    /// Which argument.
    package var location: Location
    /// The worker's own message for it, such as `task 'examples.add' argument 1 ('a') expected Int, found string "x"`.
    package var message: String

    /// The location as a JSON path below `prefix` (`schedules[1]`, or empty for `kick`):
    /// `args[0]`, `kwargs.b`, or the prefix itself (or `args`) for a missing argument.
    package func path(under prefix: String) -> String {
        let dot = prefix.isEmpty ? "" : "."
        switch location {
        case .positional(let index): return "\(prefix)\(dot)args[\(index)]"
        case .keyword(let name): return "\(prefix)\(dot)kwargs.\(name)"
        case .missing: return prefix.isEmpty ? "args" : prefix
        }
    }

    package var description: String { message }
}
