/// What a scheduler does with the slots a schedule missed while no scheduler was sending
/// (the process was down, or no scheduler held the lease).
///
/// Missed slots are those after the schedule's last recorded slot and at or before the instant the
/// scheduler (re)starts or takes the lease. One-off schedules are not affected: one that has not
/// been sent yet is always sent once, however late.
public struct CatchUpPolicy: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: String {
        case skip
        case runOnce = "run_once"
    }
    private let kind: Kind

    /// Drop missed slots and carry on with the next one (the default).
    public static let skip = CatchUpPolicy(kind: .skip)
    /// Send one message now for all of a schedule's missed slots together, then carry on.
    public static let runOnce = CatchUpPolicy(kind: .runOnce)

    private init(kind: Kind) { self.kind = kind }

    /// Reads the config spelling, `skip` or `run_once`.
    public init?(name: String) {
        guard let kind = Kind(rawValue: name) else { return nil }
        self.kind = kind
    }

    /// The config spelling: `skip` or `run_once`.
    public var name: String { kind.rawValue }
    public var description: String { name }
}
