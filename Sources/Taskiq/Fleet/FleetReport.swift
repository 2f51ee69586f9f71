/// What `check --fleet` says about a queue's consumers: a line per consumer and a warning per
/// consumer that may lose tasks of this configuration. Pure: tested without a server.
public struct FleetReport: Sendable {
    /// A consumer idle longer than this is listed as idle and not warned about: it stopped
    /// reading (a worker that exited), and the server merely remembers its name.
    public static let activeWithin: Duration = .seconds(600)

    /// A line per consumer.
    public var lines: [String]
    /// What may go wrong, one sentence each.
    public var warnings: [String]

    /// Describes `fleet` against `tasks`, the task names this configuration sends to the queue.
    public init(_ fleet: Fleet, tasks: [String]) {
        let ours = Set(tasks)
        lines = []
        warnings = []
        if fleet.members.isEmpty {
            lines.append("no consumers yet")
            return
        }
        for var member in fleet.members {
            // Names come from the server, set by any peer: no control character reaches a terminal.
            member.name = Self.printable(member.name)
            if var announcement = member.announcement {
                announcement.host = Self.printable(announcement.host)
                announcement.runtime = Self.printable(announcement.runtime)
                member.announcement = announcement
            }
            var facts: [String] = []
            if let idle = member.idle { facts.append("idle \(Self.format(idle))") }
            if let pending = member.pending { facts.append("\(pending) pending") }
            let active = member.idle.map { $0 < Self.activeWithin } ?? true
            guard let announcement = member.announcement else {
                lines.append("\(member.name): announces nothing (a Python taskiq worker?)" + Self.suffix(facts))
                if active && !ours.isEmpty {
                    warnings.append(
                        """
                        consumer '\(member.name)' of \(fleet.queue) announces nothing, as Python taskiq workers do; \
                        a Python taskiq worker acknowledges and drops a task it does not know, so any of this \
                        configuration's \(ours.count) task\(ours.count == 1 ? "" : "s") it takes may be lost unless \
                        it runs them too: \(Self.list(tasks.sorted()))
                        """)
                }
                continue
            }
            let who = "\(announcement.runtime) on \(announcement.host), pid \(announcement.pid)"
            guard let known = announcement.tasks else {
                lines.append("\(member.name): \(who), tasks not announced" + Self.suffix(facts))
                continue
            }
            let missing = ours.subtracting(known).sorted()
            lines.append(
                "\(member.name): \(who), \(known.count) task\(known.count == 1 ? "" : "s")"
                    + (missing.isEmpty ? ", all of this configuration's" : ", \(missing.count) of this configuration's missing")
                    + Self.suffix(facts))
            if active && !missing.isEmpty {
                warnings.append(
                    """
                    consumer '\(member.name)' of \(fleet.queue) (\(who)) does not run \(missing.count) of this \
                    configuration's tasks and dead-letters them when it takes them: \(Self.list(missing))
                    """)
            }
        }
    }

    /// `text` with control and format characters written as `\u{…}`.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func suffix(_ facts: [String]) -> String { facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))" }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(10).map(printable).joined(separator: ", ")
        return names.count <= 10 ? shown : shown + " and \(names.count - 10) more"
    }

    private static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds < 10 ? "\((seconds * 10).rounded() / 10)s" : "\(Int(seconds))s"
    }
}
